#!/usr/bin/env bash
# The load test of issue 13, in one command: 50 counsellors and 2 coordinators against gunicorn,
# a Celery worker, PostgreSQL and Redis on a 10-year, 100,000-contact database, all on loopback.
#
#   scripts/load.sh                 # 4 minutes, at most 5,000 saves
#   LOAD_TIME=5m LOAD_MAX_SAVES=20000 scripts/load.sh
#
# The 52 users start one a second and each logs in (PBKDF2, ~1 s of CPU): the figures count from
# the moment the last one has started (--reset-stats), so the logins mostly stay out of them.
#
# Settings (environment): LOAD_DATABASE (default helpline_load_100k, created and built once on
# 127.0.0.1:5432 as postgres), REDIS_URL (default redis://127.0.0.1:6379/7), LOAD_PORT (8711),
# LOAD_WORKERS (gunicorn workers, 4), LOAD_TIME (4m, the ramp included), LOAD_SPAWN_RATE (1/s),
# LOAD_MAX_SAVES (5000), LOAD_SETTINGS (the settings module, helpline.settings).
# Prints a table per action (count, errors, p50, p95, p99 in ms) and checks that the database
# gained exactly as many contacts as there were successful saves (exit status 1 if not).
set -euo pipefail
cd "$(dirname "$0")/.."

LOAD_DATABASE=${LOAD_DATABASE:-helpline_load_100k}
PG=${LOAD_PG:-postgres://postgres@127.0.0.1:5432}
PORT=${LOAD_PORT:-8711}
WORKERS=${LOAD_WORKERS:-4}
RUN_TIME=${LOAD_TIME:-4m}
export LOAD_MAX_SAVES=${LOAD_MAX_SAVES:-5000}
export DATABASE_URL="$PG/$LOAD_DATABASE"
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/7}
# The production settings, over plain http on loopback, with a key of this run's own.
export DJANGO_SETTINGS_MODULE=${LOAD_SETTINGS:-helpline.settings} DEBUG=false HTTPS=false ALLOWED_HOSTS=127.0.0.1
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY

source scripts/_venv.sh requirements.txt
# The driver in a virtualenv of its own (see requirements-bench.txt).
mkdir -p var/load
if [ ! -x var/load/venv/bin/locust ]; then
  python3 -m venv var/load/venv
  var/load/venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-bench.txt
fi

if ! psql "$PG/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$LOAD_DATABASE'" | grep -q 1; then
  psql "$PG/postgres" -qc "CREATE DATABASE \"$LOAD_DATABASE\""
fi
python -m loadtest.build_db 100000

count_contacts() {
  python manage.py shell -v 0 -c 'from registration.models import Contact; print(Contact.all_objects.count())'
}

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

gunicorn helpline.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" --log-level warning \
  >var/load/gunicorn.log 2>&1 &
pids+=($!)
# The worker (XLSX exports) at a lower CPU priority, as in docker-compose.yml: a file a
# coordinator waits a second for must not hold up a counsellor's save.
nice -n 10 celery -A helpline worker --concurrency 1 --loglevel WARNING >var/load/celery.log 2>&1 &
pids+=($!)
for _ in $(seq 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/login/" && break
  sleep 1
done

before=$(count_contacts)
rm -f var/load/saves var/load/run_stats.csv
PYTHONPATH=. LOAD_SAVES_FILE=var/load/saves var/load/venv/bin/locust -f loadtest/locustfile.py --headless \
  --host "http://127.0.0.1:$PORT" --users 52 --spawn-rate "${LOAD_SPAWN_RATE:-1}" --run-time "$RUN_TIME" \
  --reset-stats --stop-timeout 30 --csv var/load/run --only-summary --loglevel WARNING >var/load/locust.log 2>&1 || true
after=$(count_contacts)
saves=$(cat var/load/saves 2>/dev/null || echo 0)

python3 - var/load/run_stats.csv <<'EOF'
import csv, sys

rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["Name"] != "Aggregated"]
print(f"{'action':<30} {'count':>6} {'errors':>6} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
for r in sorted(rows, key=lambda r: r["Name"]):
    print(f"{r['Name']:<30} {r['Request Count']:>6} {r['Failure Count']:>6} {r['50%']:>6} {r['95%']:>6} {r['99%']:>6}")
EOF
echo "contacts before $before, after $after: +$((after - before)); successful saves: $saves"
if [ "$((after - before))" -ne "$saves" ]; then
  echo "MISMATCH: the database gained $((after - before)) contacts for $saves successful saves" >&2
  exit 1
fi
echo "OK: one contact per successful save"
