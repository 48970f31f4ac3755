#!/usr/bin/env bash
# Run the embedded demo: SQLite, eager Celery, demo data and demo accounts, on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements.txt

python manage.py migrate --no-input -v0
if [ "$(python manage.py shell -v 0 -c 'from registration.models import Contact; print(Contact.all_objects.exists())')" = "False" ]; then
  echo "Loading the demo years 2012–2024 (once)…"
  python manage.py seed_demo
fi
DEBUG=true python manage.py create_demo_accounts
echo "Serving on http://127.0.0.1:8000/ (Ctrl+C stops)"
exec env DEBUG=true python manage.py runserver 127.0.0.1:8000
