"""Attach who/how to the change history written outside a web request (commands, tasks)."""

from contextlib import contextmanager

from django.db import connection


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
    """For the rest of the current transaction, skip the per-row history triggers (PostgreSQL).

    A bulk load (import_contacts, seed_demo) is recorded as one audit event instead: a history
    row per inserted row makes such a load about twenty times slower (measured: 13.281
    referrals in 1,2 s instead of 0,06 s). Uses pgtrigger's own ignore mechanism (the
    `pgtrigger.ignore` setting its triggers read), set transaction-locally, so other
    transactions keep their history. Must be called inside transaction.atomic().
    """
    if connection.vendor != "postgresql":
        return
    import pgtrigger

    from referrals.models import Referral
    from registration.models import Contact, ContactText, ReportedPerson, ViolenceForm

    tracked = (Contact, ContactText, ReportedPerson, ViolenceForm, Referral)
    ignored = []
    for model, trigger in pgtrigger.registered():
        if model in tracked and str(trigger.operation) in operations:
            pgid = trigger.get_pgid(model)
            ignored += [pgid, f"{model._meta.db_table}:{pgid}"]
    if ignored:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", ["{" + ",".join(ignored) + "}"])
