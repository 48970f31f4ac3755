#!/usr/bin/env bash
# Run the whole test suite (plus ruff and the migrations check) in its own virtualenv.
# With DATABASE_URL / REDIS_URL set it runs against those services; otherwise on SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every command here (translations, the migrations check, pytest) on the test settings, which
# bring their own SECRET_KEY: the production settings refuse to start without one.
export DJANGO_SETTINGS_MODULE=helpline.settings_test
source scripts/_venv.sh requirements-dev.txt

ruff check .
python manage.py makemigrations --check --dry-run
exec python -m pytest "$@"
