#!/bin/sh
# Runs once, when the database volume is created (postgres image, /docker-entrypoint-initdb.d):
# the owner role that `migrate` runs as, and the app's login, which owns nothing (audit/roles.py).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$POSTGRES_DB" -v owner_password="$OWNER_DB_PASSWORD" -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE helpline_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE helpline_app LOGIN PASSWORD :'app_password';
-- On PostgreSQL 15 the database owner owns the public schema, where the tables go.
ALTER DATABASE :"db" OWNER TO helpline_owner;
SQL
