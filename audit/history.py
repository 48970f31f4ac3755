"""Attach who/how to the change history written outside a web request (commands, tasks), and let a
bulk load skip the per-row INSERT history (it is recorded as one audit event instead).

Only the INSERT history can be skipped. The history of UPDATE and DELETE cannot: a statement
trigger the owner installs (audit/migrations/0002_history_guard.py) refuses any UPDATE or DELETE
of a tracked table while `pgtrigger.ignore` names anything but an INSERT history trigger, whoever
set it, so the app's own database login cannot change or remove case rows without their history.
"""

from contextlib import contextmanager

import pgtrigger
from django.db import connection

# The transaction-local list of skipped triggers that pgtrigger's trigger functions read.
IGNORE_SETTING = "pgtrigger.ignore"


@contextmanager
def history_context(actor=None, *, via: str = "cli", **metadata):
    """Within the block, pghistory records `actor` and `via` with every change (PostgreSQL)."""
    if connection.vendor != "postgresql":
        yield
        return
    import pghistory

    with pghistory.context(user=actor.pk if actor is not None else None, via=via, **metadata):
        yield


def skip_row_history(operations: tuple[str, ...] = ("INSERT",)) -> None:
    """For the rest of the current transaction, skip the per-row INSERT history triggers (PostgreSQL).

    A bulk load (import_contacts, seed_demo) is recorded as one audit event instead: a history
    row per inserted row makes such a load about twenty times slower (measured: 13.281
    referrals in 1,2 s instead of 0,06 s). Uses pgtrigger's own ignore mechanism (the
    `pgtrigger.ignore` setting its triggers read), set transaction-locally, so other
    transactions keep their history. Must be called inside transaction.atomic().

    INSERT only: the history of what a load updates or deletes is always written (the database
    refuses an UPDATE or DELETE of a tracked table while an UPDATE or DELETE history trigger is
    skipped, see the module's docstring), so asking for more is a programming error.
    """
    if tuple(operations) != ("INSERT",):
        raise ValueError(f"only the INSERT history can be skipped, not {', '.join(operations)}")
    if connection.vendor != "postgresql":
        return
    from referrals.models import Referral
    from registration.models import Contact, ContactText, ReportedPerson, ViolenceForm

    tracked = (Contact, ContactText, ReportedPerson, ViolenceForm, Referral)
    # The trigger ids alone (what the installed `_pgtrigger_should_ignore` compares TG_NAME with;
    # pgtrigger's own `ignore` adds an older "table:id" form too, which the guard would refuse).
    ignored = sorted(
        trigger.get_pgid(model)
        for model, trigger in pgtrigger.registered()
        if model in tracked and str(trigger.operation) == "INSERT"
    )
    if ignored:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [IGNORE_SETTING, "{" + ",".join(ignored) + "}"])


class NotSkipped(pgtrigger.Condition):
    """The WHEN condition of a row-history INSERT trigger: fire unless this transaction skips it.

    The test the trigger function makes first (pgtrigger's `_pgtrigger_should_ignore`: does
    `pgtrigger.ignore` name the trigger?), made by the executor before the trigger is queued: a
    skipped trigger then costs a substring search per row (~0,5 µs) instead of a queued event and
    a PL/pgSQL call with an exception block (~10 µs; and ~7 µs for a text[] cast per row). The
    trigger's id is a unique 29-character name, so "the list mentions it" is "the list names it";
    a trigger that fires still runs the function's own exact check. A session that never set the
    list (NULL) or whose transaction-local list has ended ('') fires every trigger.

    Only the INSERT triggers carry it: the UPDATE and DELETE history triggers are as pghistory
    makes them.
    """

    def __init__(self, trigger_name: str):
        self.trigger_name = trigger_name
        super().__init__(sql="-")  # rendered per model by `resolve`

    def resolve(self, model) -> str:
        # The trigger's own name in the database, computed by pgtrigger itself.
        pgid = pgtrigger.Trigger(name=self.trigger_name, when=pgtrigger.After, operation=pgtrigger.Insert).get_pgid(
            model
        )
        return f"strpos(coalesce(current_setting('{IGNORE_SETTING}', true), ''), '{pgid}') = 0"
