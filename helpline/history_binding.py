"""pghistory's "who made this change" context under server-side parameter binding (issue 11).

With server-side binding (settings: DATABASES OPTIONS server_side_binding) PostgreSQL gets every
statement with $1, $2 … and the values apart, so an error it logs shows no typed text. But
pghistory passes its context by prepending "SELECT set_config(…); " to each statement, and a
prepared statement cannot hold two commands: every query would fail. Here the context is set
by a statement of its own, only before statements that can fire a history trigger (not before
a SELECT), on the same connection:

- inside a transaction, transaction-local (as pghistory does), so it ends with the transaction;
- in autocommit, for the session, and cleared right after the statement, so it never outlives it.

Only before a statement that names a table whose changes are tracked (pghistory's event models):
the read audit of every page (an insert into the trail) fires no history trigger, and in
autocommit it would cost two statements more (issue 13).

The raw driver cursor runs these, so Django's query counts (and logs) stay as they were.
"""

from __future__ import annotations

import json
import re
from functools import cache

SET_CONTEXT = (
    "SELECT set_config('pghistory.context_id', %s, {local}), set_config('pghistory.context_metadata', %s, {local})"
)
SET_LOCAL = SET_CONTEXT.format(local="true")
SET_SESSION = SET_CONTEXT.format(local="false")
CLEAR_SESSION = SET_CONTEXT.replace("%s", "''").format(local="false")
READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN", "SET ", "SHOW")


def _may_write(sql: str) -> bool:
    return not sql.lstrip()[:10].upper().startswith(READS)


@cache
def _tracked_tables() -> re.Pattern:
    """The tables pghistory tracks, as a pattern of their names (quoted or not)."""
    from django.apps import apps

    tables = sorted(
        {m.pgh_tracked_model._meta.db_table for m in apps.get_models() if getattr(m, "pgh_tracked_model", None)}
    )
    return re.compile(r"\b(?:" + "|".join(re.escape(t) for t in tables) + r")\b")


def may_fire_history(sql: str) -> bool:
    """Whether a statement may change a tracked table (and so fire a history trigger)."""
    return _may_write(sql) and _tracked_tables().search(sql) is not None


def inject_history_context(execute, sql, params, many, context):
    """A Django execute wrapper: pghistory's context, set by a statement of its own."""
    from pghistory import config, runtime

    cursor = context["cursor"]
    text = sql.decode() if isinstance(sql, bytes) else sql
    tracked = getattr(runtime._tracker, "value", None)
    if tracked is None or not may_fire_history(text) or not runtime._can_inject_variable(cursor, text):
        return execute(sql, params, many, context)
    values = (str(tracked.id), json.dumps(tracked.metadata, cls=config.json_encoder()))
    # A cursor of its own: the statement's cursor must keep the statement's results (RETURNING).
    driver = cursor.cursor.connection
    if not driver.autocommit:
        with driver.cursor() as setter:
            setter.execute(SET_LOCAL, values)
        return execute(sql, params, many, context)
    with driver.cursor() as setter:
        setter.execute(SET_SESSION, values)
    try:
        return execute(sql, params, many, context)
    finally:
        try:
            with driver.cursor() as setter:
                setter.execute(CLEAR_SESSION)
        except Exception:  # noqa: BLE001, S110 - a broken connection takes its session settings with it
            pass


def install() -> None:
    """Use the wrapper above for every pghistory.context entered from now on (PostgreSQL only)."""
    from django.conf import settings
    from pghistory import runtime

    options = settings.DATABASES["default"].get("OPTIONS", {})
    if options.get("server_side_binding"):
        runtime._inject_history_context = inject_history_context
