#!/usr/bin/env bash
# CI: migrate a fresh database as an owner role, then act as the app's role (audit/roles.py):
# register a contact and read it (history and audit rows), verify the chain, and show that
# TRUNCATE, DISABLE TRIGGER and UPDATE of the trail are refused. Needs PostgreSQL on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

pg="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"
# Names can be changed to run beside other databases on a shared server.
db="${SMOKE_DB:-helpline_roles_ci}"
owner="${SMOKE_ROLE_PREFIX:-helpline_ci}_owner"
app_role="${SMOKE_ROLE_PREFIX:-helpline_ci}_app"
for role in "$owner" "$app_role"; do
  $pg -tc "select 1 from pg_roles where rolname = '$role'" | grep -q 1 || $pg -c "create role $role login password '$role'"
done
dropdb -h 127.0.0.1 -U postgres --if-exists "$db"
createdb -h 127.0.0.1 -U postgres -O "$owner" "$db"

# Production settings: DEBUG off, so a SECRET_KEY of its own.
SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY DEBUG=false DJANGO_SETTINGS_MODULE=helpline.settings
source scripts/_venv.sh requirements-dev.txt
export DATABASE_URL="postgres://$app_role:$app_role@127.0.0.1:5432/$db"
MIGRATE_DATABASE_URL="postgres://$owner:$owner@127.0.0.1:5432/$db" \
  python manage.py migrate --no-input -v1 | tail -n 1

python manage.py shell -v 0 -c '
import os
from datetime import date
from django.db import connection
from audit.history import history_context
from audit.models import AuditEvent, ContactEvent
from audit.services import audit_event
from registration.services import RegistrationInput, contact_register
from tests.factories import UserFactory

with connection.cursor() as cursor:
    cursor.execute("SELECT current_user")
    assert cursor.fetchone()[0] == os.environ["DATABASE_URL"].split("//")[1].split(":")[0]
user = UserFactory(username="ci_counsellor", teams=["antwerpen"])
with history_context(user, via="cli"):
    contact = contact_register(user=user, data=RegistrationInput(started_on=date(2024, 5, 1), fields={"channel": "phone"}))
audit_event(user, "contact_view", via="cli", contact_ids=[contact.pk])
assert ContactEvent.objects.filter(pgh_obj=contact).exists()
assert AuditEvent.objects.filter(action="contact_view").exists()
print("app role: registered a contact, wrote history and an audit event")
'
python manage.py verify_audit | tail -n 1

app="psql -h 127.0.0.1 -U $app_role -d $db -q -X"
# Every trigger on the table named in pgtrigger.ignore: what an app with UPDATE could skip.
triggers="$($pg -d "$db" -tAc "select string_agg(tgname, ',') from pg_trigger where tgrelid = 'audit_auditevent'::regclass")"
for sql in "TRUNCATE audit_auditevent" "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL" \
  "BEGIN; SET LOCAL pgtrigger.ignore = '{$triggers}'; UPDATE audit_auditevent SET action = 'x'; COMMIT" \
  "UPDATE pghistory_context SET metadata = '{}'"; do
  # Refused for want of a privilege, not for any other reason (a typo, a failed login).
  refusal="$(PGPASSWORD="$app_role" $app -v ON_ERROR_STOP=1 -c "$sql" 2>&1 || true)"
  if ! grep -Eq "permission denied|must be owner" <<<"$refusal"; then
    echo "app role was not refused for lack of privilege: $sql" >&2
    exit 1
  fi
done
echo "app role: TRUNCATE, DISABLE TRIGGER and UPDATE of the trail refused"
