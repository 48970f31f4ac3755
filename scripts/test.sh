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
# On every core (pytest-xdist; TEST_WORKERS=0 runs in this process): each worker has a database
# and a Redis database of its own; a file's tests stay on one worker.
exec python -m pytest -n "${TEST_WORKERS:-auto}" --dist loadfile "$@"
