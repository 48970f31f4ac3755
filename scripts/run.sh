#!/usr/bin/env bash
# Run the embedded demo: SQLite, eager Celery, demo data and demo accounts, on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
# The demo runs with DEBUG, for every command: without it the settings refuse the public
# development SECRET_KEY (production sets its own).
export DEBUG=true
source scripts/_venv.sh requirements.txt

python manage.py migrate --no-input -v0
if [ "$(python manage.py shell -v 0 -c 'from registration.models import Contact; print(Contact.all_objects.exists())')" = "False" ]; then
  echo "Loading the demo years 2012–2024 (once)…"
  python manage.py seed_demo
fi
python manage.py create_demo_accounts
echo "Serving on http://127.0.0.1:8000/ (Ctrl+C stops)"
exec python manage.py runserver 127.0.0.1:8000
