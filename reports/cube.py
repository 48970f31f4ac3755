"""Pre-aggregated counts per bucket (a month) and team (PostgreSQL only), kept current
incrementally: a report never recounts anything.

The report's standard groupings (reports.selectors, `standard_groupings`) are counted per bucket
and team into CubeCount, with the sum of the counted rows' record keys beside each count
(reports.disclosure takes it mod 256). Statement-level triggers with transition tables (installed
by `install`, migration 0004) on contacts, reported persons, forms of violence and referrals
compute each statement's delta: the old rows' cells subtracted, the new rows' cells added, for
every level a change reaches (a contact moved to another day or team moves its persons and their
forms; a soft delete takes them all out; a first or last person changes the contacts without a
person). The delta is staged in an unlogged table under the transaction's id and applied to
CubeCount once, at commit, by a deferred constraint trigger, as one upsert in the order of the
cells' keys: concurrent saves take the cube's row locks in one global order (no deadlock) and only
for the moment of their commit. A report first applies its own transaction's staged delta (none,
unless it wrote), then sums CubeCount in one query.

A bulk load through COPY or INSERT … SELECT fires the same statement triggers, so an import builds
its part of the cube in its own transaction. Data loaded with the triggers off (session_replication_role
= replica, as bench_reports does) needs `rebuild` (manage.py rebuild_cube, or the Celery task
reports.tasks.rebuild_cube). SQLite (the demo) has no cube and counts live.

The trigger SQL is generated here from the groupings, so a change of `standard_groupings` needs a
migration that calls `install` again; tests/reports/test_cube.py fails until it has run.
"""

from __future__ import annotations

import calendar
import json
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum

from registration.models import Contact, ReportedPerson

from .models import CubeCount

if TYPE_CHECKING:
    from .selectors.counting import Grouping

DELTA_TABLE = "reports_cubedelta"
PENDING_TABLE = "reports_cubepending"
CONTACT_TABLE = Contact._meta.db_table
PERSON_TABLE = ReportedPerson._meta.db_table
TABLE_PREFIX = "reports_cube_"


def enabled(report_filter) -> bool:
    """Whether a report can be read from the pre-aggregated counts."""
    if connection.vendor != "postgresql" or not getattr(settings, "REPORT_PREAGGREGATE", True):
        return False
    start, end = report_filter.start, report_filter.end
    last_day = calendar.monthrange(end.year, end.month)[1]
    if not (start.day == 1 and end.day == last_day and start <= end):
        return False
    if report_filter.registered_before is not None:
        # The pre-aggregation counts every registration; it still holds a report that leaves out
        # the latest ones while none of those falls in the report's period (rare: back-dated).
        late = Contact.objects.filter(
            started_on__gte=start, started_on__lte=end, created_at__gte=report_filter.registered_before
        )
        return not late.exists()
    return True


def bucket_of(day: date) -> date:
    """The bucket of a day: its month's first day (BUCKET_SQL computes the same). Reports that
    use the cube cover whole months, and a change is added, not recounted: a month is fine enough."""
    return date(day.year, day.month, 1)


def grouping_name(key: tuple) -> str:
    """How a Grouping.key is stored in CubeCount.grouping (counts already stored must keep matching)."""
    base, without_person, names = key
    return json.dumps([base, without_person, list(names)])


def refresh(report_filter=None, groupings=None) -> None:
    """Make the cube current for this connection: apply the delta its own open transaction has
    staged (nothing outside a transaction that wrote; other transactions apply theirs at commit).
    Never recounts. Kept under this name for callers of the former dirty-bucket refresh (imports)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {TABLE_PREFIX}flush()")


def counts(
    report_filter, team_ids: list[int] | None, groupings: list[Grouping]
) -> dict[tuple, dict[tuple, tuple[int, int]]]:
    """The grouped (count, sum of record keys) of a report's period and teams by Grouping.key, summed
    from the pre-aggregated counts (two queries: this transaction's own delta, then the sum)."""
    refresh()
    # Each stored grouping name to its key, once (not a JSON decode per row).
    wanted = {grouping_name(g.key): g.key for g in groupings}
    qs = CubeCount.objects.filter(
        bucket__gte=report_filter.start, bucket__lte=report_filter.end, grouping__in=list(wanted)
    )
    if team_ids is not None:
        qs = qs.filter(team_key__in=team_ids)
    grouped: dict[tuple, dict[tuple, tuple[int, int]]] = {g.key: {} for g in groupings}
    rows = qs.values_list("grouping", "values").annotate(n=Sum("count"), k=Sum("key_sum"))
    for name, values, n, k in rows.order_by():
        if not n:
            # A cell whose rows all went (an edit, a delete) keeps a zero until rebuilt: no count, no row.
            continue
        grouped[wanted[name]][tuple(values)] = (n, k)
    return grouped


# ---------------------------------------------------------------------------------------------
# The SQL: what each row of each level adds to which cell, the triggers, the full build.

BUCKET_SQL = "date_trunc('month', c.started_on)::date"


def _multi_tables() -> dict[str, str]:
    """The table of each multi-valued dimension (its key is its grouping's base)."""
    from .dimensions import DIMENSIONS, MULTI

    return {key: d.model._meta.db_table for key, d in DIMENSIONS.items() if d.level == MULTI}


def _columns(model) -> set[str]:
    return {f.column for f in model._meta.concrete_fields}


def _value_sql(name: str, base: str) -> str:
    """The SQL of a stored value a grouping groups by (reports.dimensions' `grouping`), on rows
    aliased c (contact), r (reported person) and m (a multi-valued field's row)."""
    if name == "month":
        return "extract(month FROM c.started_on)::int"
    if name == "year":
        return "extract(year FROM c.started_on)::int"
    if name == "team":
        return "c.team_id"
    if name == base and base in _multi_tables():
        return "m.code"
    if base != "contact" and name in _columns(ReportedPerson) - {"id", "contact_id"}:
        return f"r.{name}"
    if name in _columns(Contact):
        return f"c.{name}"
    raise ValueError(f"the cube cannot keep the grouping value {name!r} of {base!r}")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _cells(groupings: list[Grouping]) -> dict[tuple[str, bool], list[tuple[str, list[str]]]]:
    """Per level (base, without_person): each grouping's name and the SQL of its values."""
    by_level: dict[tuple[str, bool], list[tuple[str, list[str]]]] = {}
    for g in sorted(groupings, key=lambda g: grouping_name(g.key)):
        if g.present:
            raise ValueError(f"the cube cannot keep {g.key}: it needs persons with a second multi-valued field")
        values = [_value_sql(name, g.base) for name in g.names]
        by_level.setdefault((g.base, g.without_person), []).append((grouping_name(g.key), values))
    return by_level


def _select(cells: list[tuple[str, list[str]]], source: str, sign: str, key: str, where: str = "") -> str:
    """The rows of `source` (aliases c, r, m) counted with `sign` into every cell of one level's
    groupings: one pass, GROUPING SETS over the stored values, a JSON array built per cell only."""
    condition = "c.deleted_at IS NULL" + (f" AND {where}" if where else "")
    columns = sorted({value for _name, values in cells for value in values})
    alias = {value: f"v{i}" for i, value in enumerate(columns)}
    inner = (
        f"SELECT {BUCKET_SQL} AS bucket, coalesce(c.team_id, 0) AS team_key, "
        + "".join(f"{value} AS {alias[value]}, " for value in columns)
        + f"{sign} AS n, {sign} * {key} AS k FROM {source} WHERE {condition}"
    )
    which = f"GROUPING({', '.join(f'q.{alias[v]}' for v in columns)})"
    names, arrays, sets, masks = [], [], [], set()
    for name, values in cells:
        # GROUPING() sets a bit for each column the set leaves out (the first column is the highest bit).
        mask = sum(1 << (len(columns) - 1 - i) for i, column in enumerate(columns) if column not in values)
        if mask in masks:
            raise ValueError(f"two groupings of one level group by the same values: {name}")
        masks.add(mask)
        names.append(f"WHEN {mask} THEN {_quote(name)}")
        arrays.append(f"WHEN {mask} THEN jsonb_build_array({', '.join(f'q.{alias[v]}' for v in values)})")
        sets.append("(" + ", ".join(f"q.{alias[v]}" for v in values) + ")")
    return (
        f"SELECT q.bucket, q.team_key, (CASE {which} {' '.join(names)} END)::varchar AS grouping, "
        f"CASE {which} {' '.join(arrays)} END AS vals, sum(q.n) AS n, sum(q.k) AS k "
        f"FROM ({inner}) q GROUP BY q.bucket, q.team_key, GROUPING SETS ({', '.join(sets)}) "
        "HAVING sum(q.n) <> 0 OR sum(q.k) <> 0"
    )


NO_PERSON = f"NOT EXISTS (SELECT 1 FROM {PERSON_TABLE} rp WHERE rp.contact_id = c.id)"


def _parts(groupings: list[Grouping], table: str, rows: str) -> list[str]:
    """The signed cell rows a statement on `table` changes; `rows` holds its old rows (s = -1)
    and new rows (s = +1). Other tables are read as they stand: only `table` changed."""
    cells = _cells(groupings)
    multi = _multi_tables()
    parts = []
    if table == CONTACT_TABLE:
        src = f"{rows} c"
        if ("contact", False) in cells:
            parts.append(_select(cells["contact", False], src, "c.s", "c.record_key"))
        if ("contact", True) in cells:
            parts.append(_select(cells["contact", True], src, "c.s", "c.record_key", NO_PERSON))
        persons = f"{src} JOIN {PERSON_TABLE} r ON r.contact_id = c.id"
        if ("person", False) in cells:
            parts.append(_select(cells["person", False], persons, "c.s", "r.record_key"))
        for base, mtable in multi.items():
            if (base, False) in cells:
                parts.append(
                    _select(
                        cells[base, False], f"{persons} JOIN {mtable} m ON m.person_id = r.id", "c.s", "r.record_key"
                    )
                )
    elif table == PERSON_TABLE:
        src = f"{rows} r JOIN {CONTACT_TABLE} c ON c.id = r.contact_id"
        if ("person", False) in cells:
            parts.append(_select(cells["person", False], src, "r.s", "r.record_key"))
        for base, mtable in multi.items():
            if (base, False) in cells:
                parts.append(
                    _select(cells[base, False], f"{src} JOIN {mtable} m ON m.person_id = r.id", "r.s", "r.record_key")
                )
        if ("contact", True) in cells:
            # A contact's first person takes it out of the contacts without a person, its last
            # one's removal puts it back: d = persons after - persons before.
            moved = (
                f"(SELECT contact_id, sum(s) AS d FROM {rows} x GROUP BY contact_id HAVING sum(s) <> 0) p "
                f"JOIN {CONTACT_TABLE} c ON c.id = p.contact_id "
                f"CROSS JOIN LATERAL (SELECT count(*) AS after FROM {PERSON_TABLE} rp WHERE rp.contact_id = c.id) a"
            )
            sign = "((a.after = 0)::int - (a.after - p.d = 0)::int)"
            parts.append(_select(cells["contact", True], moved, sign, "c.record_key"))
    else:
        base = next(b for b, t in multi.items() if t == table)
        if (base, False) in cells:
            src = f"{rows} m JOIN {PERSON_TABLE} r ON r.id = m.person_id JOIN {CONTACT_TABLE} c ON c.id = r.contact_id"
            parts.append(_select(cells[base, False], src, "m.s", "r.record_key"))
    return parts


def _tracked_columns(groupings: list[Grouping], table: str) -> list[str]:
    """The columns of `table` whose change can move a row between cells."""
    names = set()
    for g in groupings:
        for name in g.names:
            value = _value_sql(name, g.base)
            alias = {CONTACT_TABLE: "c.", PERSON_TABLE: "r."}.get(table, "m.")
            if value.startswith(alias):
                names.add(value[len(alias) :])
    if table == CONTACT_TABLE:
        names |= {"started_on", "team_id", "record_key"}
    elif table == PERSON_TABLE:
        names |= {"contact_id", "record_key"}
    else:
        names = {"person_id", "code"}
    return sorted(names)


def _tracked(groupings: list[Grouping], table: str) -> list[str]:
    """What of a row of `table` places it in its cells (compared old to new; {t}: the row's alias)."""
    tracked = [f"{{t}}.{n}" for n in _tracked_columns(groupings, table)]
    if table == CONTACT_TABLE:
        tracked.append("({t}.deleted_at IS NULL)")
    return tracked


def _read_columns(groupings: list[Grouping], table: str) -> list[str]:
    """The columns of `table`'s changed rows the delta reads: its cells' values, the row's id
    (to join its persons or forms) and, for a contact, whether it is deleted."""
    extra = {"id"} | ({"deleted_at"} if table == CONTACT_TABLE else set())
    return sorted(set(_tracked_columns(groupings, table)) | extra)


# Memory for one statement's delta: a large statement's rows (an import's COPY) are grouped in
# memory instead of being sorted or hashed through temporary files (PostgreSQL's default 4 MB).
DELTA_WORK_MEM = "64MB"
FUNCTION_SETTINGS = f"SET jit = off SET work_mem = '{DELTA_WORK_MEM}'"


def _function(groupings: list[Grouping], table: str, op: str) -> str:
    """The statement trigger function of `op` (ins, upd, del) on `table`: stage the delta."""
    # Only the columns the delta reads are copied out of the transition tables (a contact's row
    # is ~500 bytes, the columns it is counted by ~50).
    columns = _read_columns(groupings, table)
    new_cols = ", ".join(f"n.{c}" for c in columns)
    old_cols = ", ".join(f"o.{c}" for c in columns)
    if op == "ins":
        rows = f"(SELECT 1 AS s, {new_cols} FROM new_rows n)"
    elif op == "del":
        rows = f"(SELECT -1 AS s, {old_cols} FROM old_rows o)"
    else:
        tracked = _tracked(groupings, table)
        old = ", ".join(t.format(t="o") for t in tracked)
        new = ", ".join(t.format(t="n") for t in tracked)
        changed = f"FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE ({old}) IS DISTINCT FROM ({new})"
        rows = f"(SELECT -1 AS s, {old_cols} {changed} UNION ALL SELECT 1 AS s, {new_cols} {changed})"
    # The transition tables are read once: the changed rows are materialised for every part.
    union = " UNION ALL ".join(_parts(groupings, table, "x"))
    return f"""
CREATE OR REPLACE FUNCTION {TABLE_PREFIX}{op}_{table}() RETURNS trigger LANGUAGE plpgsql {FUNCTION_SETTINGS} AS $$
DECLARE
  staged bigint;
BEGIN
  PERFORM 1 FROM {"new_rows" if op == "ins" else "old_rows"} LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  WITH x AS MATERIALIZED {rows}
  INSERT INTO {DELTA_TABLE} (txid, bucket, team_key, grouping, vals, count, key_sum)
  SELECT txid_current(), d.bucket, d.team_key, d.grouping, d.vals, d.n, d.k FROM ({union}) d;
  GET DIAGNOSTICS staged = ROW_COUNT;
  IF staged > 0 THEN
    INSERT INTO {PENDING_TABLE} (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
"""


# The trigger and flush functions run with `SET jit = off`: PostgreSQL would otherwise JIT-compile
# a large statement's delta query for longer than the query runs (measured: 250 ms of 660 ms).
OPS = {
    "ins": "AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows",
    "upd": "AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "del": "AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows",
}

# Applies this transaction's staged delta: summed per cell, upserted in the order of the cells'
# keys, so two transactions never wait for each other's cells crosswise.
FLUSH = [
    f"""
CREATE OR REPLACE FUNCTION {TABLE_PREFIX}flush() RETURNS void LANGUAGE plpgsql SET jit = off AS $$
DECLARE
  me bigint := txid_current_if_assigned();
BEGIN
  IF me IS NULL THEN
    RETURN;
  END IF;
  DELETE FROM {PENDING_TABLE} WHERE txid = me;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  WITH d AS (DELETE FROM {DELTA_TABLE} WHERE txid = me RETURNING bucket, team_key, grouping, vals, count, key_sum)
  INSERT INTO reports_cubecount (bucket, team_key, grouping, "values", count, key_sum)
  SELECT bucket, team_key, grouping, vals, sum(count), sum(key_sum) FROM d
  GROUP BY bucket, team_key, grouping, vals
  HAVING sum(count) <> 0 OR sum(key_sum) <> 0
  ORDER BY bucket, team_key, grouping, vals
  ON CONFLICT (bucket, team_key, grouping, "values") DO UPDATE
    SET count = reports_cubecount.count + EXCLUDED.count, key_sum = reports_cubecount.key_sum + EXCLUDED.key_sum;
END
$$;
""",
    f"""
CREATE OR REPLACE FUNCTION {TABLE_PREFIX}flush_at_commit() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
  PERFORM {TABLE_PREFIX}flush();
  RETURN NULL;
END
$$;
""",
]

# Staged deltas live only until their transaction commits: unlogged (a crash loses only
# transactions that never committed).
TABLES = [
    f"CREATE UNLOGGED TABLE {DELTA_TABLE} (txid bigint NOT NULL, bucket date NOT NULL, team_key bigint NOT NULL, "
    "grouping varchar(200) NOT NULL, vals jsonb NOT NULL, count bigint NOT NULL, key_sum bigint NOT NULL)",
    f"CREATE INDEX {DELTA_TABLE}_txid ON {DELTA_TABLE} (txid)",
    f"CREATE UNLOGGED TABLE {PENDING_TABLE} (txid bigint PRIMARY KEY)",
    # Room on each page for a cell's next version: adding a delta is then a HOT update (no new index entry).
    "ALTER TABLE reports_cubecount SET (fillfactor = 60)",
]


def trigger_tables() -> list[str]:
    return [CONTACT_TABLE, PERSON_TABLE, *_multi_tables().values()]


def install_sql(groupings: list[Grouping] | None = None) -> list[str]:
    """Every statement `install` runs, in order (drops first: re-installing is safe)."""
    if groupings is None:
        from .selectors.tables import standard_groupings

        groupings = standard_groupings()
    statements = [*uninstall_sql(), *TABLES, *FLUSH]
    statements.append(
        f"CREATE CONSTRAINT TRIGGER {TABLE_PREFIX}flush AFTER INSERT ON {PENDING_TABLE} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {TABLE_PREFIX}flush_at_commit()"
    )
    for table in trigger_tables():
        for op, event in OPS.items():
            statements.append(_function(groupings, table, op))
            statements.append(
                f"CREATE TRIGGER {TABLE_PREFIX}{op} {event.format(table=table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE_PREFIX}{op}_{table}()"
            )
    return statements


def uninstall_sql() -> list[str]:
    drops = []
    for table in trigger_tables():
        for op in OPS:
            drops.append(f"DROP TRIGGER IF EXISTS {TABLE_PREFIX}{op} ON {table}")
            drops.append(f"DROP FUNCTION IF EXISTS {TABLE_PREFIX}{op}_{table}()")
    drops.append(f"DROP TABLE IF EXISTS {PENDING_TABLE}")
    drops.append(f"DROP TABLE IF EXISTS {DELTA_TABLE}")
    drops.append(f"DROP FUNCTION IF EXISTS {TABLE_PREFIX}flush_at_commit()")
    drops.append(f"DROP FUNCTION IF EXISTS {TABLE_PREFIX}flush()")
    return drops


def install(schema_editor=None, groupings: list[Grouping] | None = None) -> None:
    """Install (or replace) the staging tables, the triggers and their functions (PostgreSQL)."""
    conn = schema_editor.connection if schema_editor else connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for statement in install_sql(groupings):
            cursor.execute(statement)


def uninstall(schema_editor=None) -> None:
    conn = schema_editor.connection if schema_editor else connection
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        for statement in uninstall_sql():
            cursor.execute(statement)


def rebuild_sql(groupings: list[Grouping] | None = None) -> str:
    """One INSERT … SELECT of every cell, counted from the live tables."""
    if groupings is None:
        from .selectors.tables import standard_groupings

        groupings = standard_groupings()
    cells = _cells(groupings)
    multi = _multi_tables()
    contacts = f"{CONTACT_TABLE} c"
    persons = f"{PERSON_TABLE} r JOIN {CONTACT_TABLE} c ON c.id = r.contact_id"
    parts = []
    if ("contact", False) in cells:
        parts.append(_select(cells["contact", False], contacts, "1", "c.record_key"))
    if ("contact", True) in cells:
        parts.append(_select(cells["contact", True], contacts, "1", "c.record_key", NO_PERSON))
    if ("person", False) in cells:
        parts.append(_select(cells["person", False], persons, "1", "r.record_key"))
    for base, mtable in multi.items():
        if (base, False) in cells:
            src = f"{mtable} m JOIN {persons} ON r.id = m.person_id"
            parts.append(_select(cells[base, False], src, "1", "r.record_key"))
    # Each part counts groupings of its own: their cells never meet.
    return (
        'INSERT INTO reports_cubecount (bucket, team_key, grouping, "values", count, key_sum) '
        "SELECT d.bucket, d.team_key, d.grouping, d.vals, d.n, d.k FROM (" + " UNION ALL ".join(parts) + ") d"
    )


def rebuild(using=None) -> int:
    """Count the whole cube again from the live tables (after a load with the triggers off, or to
    repair); writers wait for it at their commit. Returns the number of cells. Never in a request."""
    conn = connection if using is None else using
    if conn.vendor != "postgresql":
        return 0
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        # Writers apply their deltas at commit: they queue behind the rebuild, and it counts what they committed.
        cursor.execute("LOCK TABLE reports_cubecount IN EXCLUSIVE MODE")
        cursor.execute("DELETE FROM reports_cubecount")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(rebuild_sql())
        cells = cursor.rowcount
        cursor.execute("ANALYZE reports_cubecount")
        return cells
