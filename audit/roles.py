"""Two database roles (PostgreSQL): an owner that migrates, and the app's login that owns nothing.

The owner (MIGRATE_DATABASE_URL) owns every table, function and trigger. The app (DATABASE_URL)
reads and writes the case tables, but may only SELECT and INSERT the trail: the audit app's tables
and pghistory's context table. Without UPDATE, DELETE or TRUNCATE on them, and owning nothing, it
cannot rewrite the trail by any route a database offers its owner: `SET pgtrigger.ignore` has no
UPDATE to let through, and disabling a trigger, replacing a function or setting
session_replication_role needs ownership or superuser.

`manage.py migrate` (audit/management/commands/migrate.py) calls grant_app_role after migrating,
so a new table is granted (or kept closed) by the migrate that creates it.
"""

from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from .chain import chained_models


class RoleError(Exception):
    pass


def _refuse_unsafe_role(cursor, role: str) -> None:
    cursor.execute("SELECT oid, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
    found = cursor.fetchone()
    if found is None:
        raise RoleError(f"The app's database role {role!r} (DATABASE_URL) does not exist: create it first.")
    oid, superuser, bypassrls = found
    if superuser or bypassrls:
        raise RoleError(f"The app's database role {role!r} is a superuser: give the app a role of its own.")
    cursor.execute("SELECT current_user, pg_has_role(%s, current_user, 'USAGE')", [role])
    owner, inherits_owner = cursor.fetchone()
    if role == owner or inherits_owner:
        raise RoleError(
            f"The app's database role {role!r} is (or acts as) the owner {owner!r}: "
            "DATABASE_URL and MIGRATE_DATABASE_URL must name two different roles."
        )
    cursor.execute(
        "SELECT (SELECT count(*) FROM pg_class WHERE relowner = %(oid)s)"
        " + (SELECT count(*) FROM pg_proc WHERE proowner = %(oid)s)"
        " + (SELECT count(*) FROM pg_namespace WHERE nspowner = %(oid)s)"
        " + (SELECT count(*) FROM pg_database WHERE datname = current_database() AND datdba = %(oid)s)",
        {"oid": oid},
    )
    if cursor.fetchone()[0]:
        raise RoleError(
            f"The app's database role {role!r} owns objects in this database: it must own nothing "
            f"(REASSIGN OWNED BY {role} TO {owner}, as the owner)."
        )


def grant_app_role(role: str, using: str = "default") -> None:
    """Give the app's role what it needs and no more; refuse a role that is, or acts as, an owner."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    qn = connection.ops.quote_name
    trail = {model._meta.db_table for model in chained_models()}
    # The app reads which migrations ran (runserver's warning) but never records one.
    read_only = {MigrationRecorder.Migration._meta.db_table}
    with transaction.atomic(using), connection.cursor() as cursor:
        _refuse_unsafe_role(cursor, role)
        cursor.execute("SELECT current_schema()")
        schema = qn(cursor.fetchone()[0])
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relkind IN ('r', 'p', 'v', 'm')"
        )
        tables = sorted(name for (name,) in cursor.fetchall())
        app = qn(role)
        statements = [
            # Start from nothing, so a privilege granted by hand or by an older version goes.
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {app}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {app}",
            f"REVOKE CREATE ON SCHEMA {schema} FROM {app}",
            f"GRANT USAGE ON SCHEMA {schema} TO {app}",
            # nextval() for new rows; setval() (UPDATE on a sequence) is not needed.
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        ]
        for table in tables:
            if table in trail:
                privileges = "SELECT, INSERT"
            elif table in read_only:
                privileges = "SELECT"
            else:
                privileges = "SELECT, INSERT, UPDATE, DELETE"
            statements.append(f"GRANT {privileges} ON {qn(table)} TO {app}")
        for statement in statements:
            cursor.execute(statement)
