"""Tamper evidence for the audit trail (PostgreSQL): every trail row is sealed into a hash chain.

A BEFORE INSERT trigger gives each row its place in its table's chain (`chain_seq`: 1, 2, 3, …
without gaps) and `chain_hash` = sha256(previous row's chain_hash | chain_seq | the row as JSON).
A changed row no longer matches its own hash, a removed row leaves a gap, and a row whose hash was
recomputed breaks the link of the row after it: `manage.py verify_audit` finds each. The app's
own database login can neither change nor remove trail rows (audit.roles), so only the owner role
could, and the chain shows it. An owner who rewrites a table's whole tail is caught only against
a head (position and hash) kept elsewhere: verify_audit prints the heads for that purpose.

Chained: every table of the audit app (access events, the contacts they were about, the change
history of pghistory) and pghistory's context table (who made each change). Like pgtrigger's
triggers, the chain is installed after every `migrate`, so a trail table added later is chained
(and its existing rows sealed) by the migrate that creates it. `chain_seq` and `chain_hash` are
not model fields: Django never writes them, the trigger always does.

Rows are sealed under one transaction-level advisory lock for all chains, held until commit:
concurrent writers queue for it instead of forking a chain, and one lock cannot deadlock against
another. The unique index on chain_seq turns any fork (e.g. a REPEATABLE READ writer reading a
stale head) into an error rather than a silent branch.

The canonical row is the row as JSON with NULL members left out and times in UTC, so a column
added later as NULLable leaves older rows verifiable; a column added NOT NULL with a default
would rewrite older rows' JSON and break their links: add trail columns NULLable.

SQLite (the embedded demo) has no chain, and no change history: its trail holds access events
only, and verify_audit says it cannot vouch for it.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db import connections, transaction

SEAL_TRIGGER = "zz_audit_chain"  # "zz": fires last among BEFORE triggers (alphabetical), so it seals the row as stored
# One advisory lock for every chain.
LOCK_ID = 1712_0011
TRIGGER_STATE = "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s"

DIGEST_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_chain_digest(prev_hash text, seq bigint, body jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT encode(sha256(convert_to(
    coalesce(prev_hash, '') || '|' || seq::text || '|'
      || jsonb_strip_nulls(body - 'chain_seq' - 'chain_hash')::text,
    'UTF8')), 'hex')
$$;
"""

# The seal, one function per table (audit_chain_seal_<table>) with the table named in it: plain
# SQL that PostgreSQL plans once per session (the single generic function it replaces planned an
# EXECUTE anew for every row, and a read of a 25-contact list page writes 26 rows). The table is
# schema-qualified, so a temporary table of the same name cannot stand in for it.
TABLE_SEAL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {{function}}() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT SET TimeZone TO 'UTC' AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock({LOCK_ID});
  SELECT chain_seq, chain_hash INTO last_seq, last_hash FROM {{table}}
    WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1;
  NEW.chain_seq := coalesce(last_seq, 0) + 1;
  NEW.chain_hash := audit_chain_digest(last_hash, NEW.chain_seq, to_jsonb(NEW));
  RETURN NEW;
END
$$;
"""


def seal_function(table: str) -> str:
    return f"audit_chain_seal_{table}"


# pghistory's own version upserts (INSERT … ON CONFLICT DO UPDATE), which needs UPDATE on the
# context table: the app role has none. Here a context row is never changed: when the metadata of
# a running context has grown since its row was written (a user logged in mid-request), the later
# changes get a second context, derived from the first id and the new metadata.
CONTEXT_FUNCTION = """
CREATE OR REPLACE FUNCTION _pgh_attach_context() RETURNS uuid
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  _id uuid;
  _metadata jsonb;
  _stored jsonb;
BEGIN
  BEGIN
    _id := current_setting('pghistory.context_id');
    _metadata := current_setting('pghistory.context_metadata');
  EXCEPTION WHEN OTHERS THEN
  END;
  IF _id IS NULL OR _metadata IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO {table} (id, metadata, created_at, updated_at)
    VALUES (_id, _metadata, now(), now()) ON CONFLICT (id) DO NOTHING;
  SELECT metadata INTO _stored FROM {table} WHERE id = _id;
  IF _stored = _metadata THEN
    RETURN _id;
  END IF;
  _id := md5(_id::text || _metadata::text)::uuid;
  INSERT INTO {table} (id, metadata, created_at, updated_at)
    VALUES (_id, _metadata, now(), now()) ON CONFLICT (id) DO NOTHING;
  RETURN _id;
END
$$;
"""

# Seals the rows a table held before it was chained, in the order they were written. The
# append-only triggers are set aside for this one UPDATE per row (ALTER TABLE: owner only).
BACKFILL = """
DO $$
DECLARE
  r record;
  prev text;
  n bigint := 0;
BEGIN
  FOR r IN SELECT {pk} AS pk, to_jsonb(t) AS body FROM {table} t ORDER BY {order} LOOP
    n := n + 1;
    prev := audit_chain_digest(prev, n, r.body);
    UPDATE {table} SET chain_seq = n, chain_hash = prev WHERE {pk} = r.pk;
  END LOOP;
END
$$;
"""


def chained_models() -> list:
    """The models whose tables carry a chain: the audit app's and pghistory's context."""
    from pghistory.models import Context

    return [*apps.get_app_config("audit").get_models(), Context]


def _order(model) -> str:
    from pghistory.models import Context

    # Context rows have uuid keys: their insertion order is their creation time.
    return "created_at, id" if model is Context else model._meta.pk.column


def install(using: str = "default") -> None:
    """Install the chain functions, and the chain on every trail table that lacks it (PostgreSQL)."""
    from pghistory.models import Context

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    qn = connection.ops.quote_name
    with transaction.atomic(using), connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
        cursor.execute(DIGEST_FUNCTION)
        if Context._meta.db_table in existing:
            cursor.execute(CONTEXT_FUNCTION.format(table=qn(Context._meta.db_table)))
        for model in chained_models():
            table = model._meta.db_table
            if table not in existing:
                continue
            cursor.execute(
                "SELECT count(*) FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attname IN ('chain_seq', 'chain_hash') AND NOT attisdropped",
                [table],
            )
            if cursor.fetchone()[0] < 2:
                cursor.execute(
                    f"ALTER TABLE {qn(table)} ADD COLUMN IF NOT EXISTS chain_seq bigint, "
                    "ADD COLUMN IF NOT EXISTS chain_hash text"
                )
                cursor.execute(f"ALTER TABLE {qn(table)} DISABLE TRIGGER USER")
                cursor.execute(BACKFILL.format(table=qn(table), pk=qn(model._meta.pk.column), order=_order(model)))
                cursor.execute(f"ALTER TABLE {qn(table)} ENABLE TRIGGER USER")
            index = f"{table}_chain_seq"
            cursor.execute("SELECT to_regclass(%s)", [qn(index)])
            if cursor.fetchone()[0] is None:
                cursor.execute(f"CREATE UNIQUE INDEX {qn(index)} ON {qn(table)} (chain_seq)")
            function = qn(seal_function(table))
            cursor.execute(TABLE_SEAL_FUNCTION.format(function=function, table=f"{qn(schema)}.{qn(table)}"))
            cursor.execute(TRIGGER_STATE, [table, SEAL_TRIGGER])
            state = cursor.fetchone()
            # A disabled seal stays disabled (verify_audit reports it); otherwise it is (re)made
            # to call the table's own function.
            if state is None or state[0] != "D":
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {SEAL_TRIGGER} BEFORE INSERT ON {qn(table)} "
                    f"FOR EACH ROW EXECUTE FUNCTION {function}()"
                )
        # The generic seal of earlier versions, once no trigger (a disabled one) still calls it.
        cursor.execute(
            "SELECT to_regprocedure('audit_chain_seal()') IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM pg_trigger WHERE tgfoid = to_regprocedure('audit_chain_seal()'))"
        )
        if cursor.fetchone()[0]:
            cursor.execute("DROP FUNCTION audit_chain_seal()")


def install_on_migrate(using, **kwargs) -> None:
    install(using)


# The first row of a table whose link does not hold: unsealed, after a gap, or not matching its hash.
FIRST_BROKEN_LINK = """
WITH links AS (
  SELECT {pk}::text AS pk, chain_seq, chain_hash,
         lag(chain_seq) OVER w AS prev_seq, lag({pk}::text) OVER w AS prev_pk,
         audit_chain_digest(lag(chain_hash) OVER w, chain_seq, to_jsonb(t)) AS expected
  FROM {table} t WINDOW w AS (ORDER BY chain_seq)
)
SELECT pk, chain_seq, prev_seq, prev_pk FROM links
WHERE chain_seq IS NULL OR chain_seq <> coalesce(prev_seq, 0) + 1 OR chain_hash IS DISTINCT FROM expected
ORDER BY chain_seq NULLS FIRST LIMIT 1
"""


@dataclass
class ChainState:
    table: str
    rows: int = 0
    head_seq: int | None = None
    head_hash: str | None = None
    problem: str | None = None


def _first_problem(cursor, table: str, pk: str) -> str | None:
    cursor.execute(FIRST_BROKEN_LINK.format(table=table, pk=pk))
    found = cursor.fetchone()
    if found is None:
        return None
    row, seq, prev_seq, prev_row = found
    if seq is None:
        return f"row {row} is not sealed (written while the chain trigger was off)"
    expected = (prev_seq or 0) + 1
    if seq != expected:
        after = f"after row {prev_row} (position {prev_seq})" if prev_row is not None else "at the start"
        removed = seq - expected
        return (
            f"missing link before row {row}: position {seq} follows {prev_seq or 0}, {removed} row(s) removed {after}"
        )
    before = f" or the row before it (row {prev_row})" if prev_row is not None else ""
    return f"broken link at row {row} (position {seq}): it{before} was changed"


def verify(using: str = "default") -> list[ChainState]:
    """Walk every chain; each ChainState names its table's first broken or missing link, if any."""
    connection = connections[using]
    qn = connection.ops.quote_name
    states = []
    with transaction.atomic(using), connection.cursor() as cursor:
        # Times in the canonical row are UTC, as the trigger wrote them.
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
        existing = set(connection.introspection.table_names(cursor))
        for model in chained_models():
            table = model._meta.db_table
            state = ChainState(table)
            states.append(state)
            if table not in existing:
                continue
            cursor.execute(
                "SELECT count(*) FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attname IN ('chain_seq', 'chain_hash') AND NOT attisdropped",
                [table],
            )
            if cursor.fetchone()[0] < 2:
                state.problem = "has no chain (run migrate)"
                continue
            cursor.execute(
                f"SELECT count(*), max(chain_seq), (SELECT chain_hash FROM {qn(table)} "
                f"WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1) FROM {qn(table)}"
            )
            state.rows, state.head_seq, state.head_hash = cursor.fetchone()
            cursor.execute(TRIGGER_STATE, [table, SEAL_TRIGGER])
            trigger = cursor.fetchone()
            state.problem = _first_problem(cursor, qn(table), qn(model._meta.pk.column))
            if state.problem is None and (trigger is None or trigger[0] == "D"):
                state.problem = "the chain trigger is missing or disabled: new rows are not sealed"
    return states
