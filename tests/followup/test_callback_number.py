"""The callback number is personal data: kept only while its item is open, and never in a list,
log, URL, export, audit event or the change history. The note follows the same rules."""

import logging
import uuid
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from audit.models import AuditEvent
from followup.models import FollowUpItem, FollowUpText
from registration.models import Draft
from registration.services import contact_register

from .conftest import registration

pytestmark = pytest.mark.django_db

NUMBER_DIGITS = "0499" + str(uuid.uuid4().int)[:6]
NOTE = f"NOTE{uuid.uuid4().hex}"


def whole_database() -> str:
    """Every row of every table Django manages (the audit trail and, on PostgreSQL, the change history)."""
    rows = []
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            rows.append(repr(list(model._base_manager.values())))
    return "\n".join(rows)


def test_the_number_and_note_are_gone_after_closing_and_never_left_their_row(counsellor, coordinator, login, caplog):
    caplog.set_level(logging.DEBUG)
    client = login(counsellor)
    locations = []
    response = client.post(
        "/follow-up/new/",
        {
            "kind": "voicemail",
            "received_date": "2024-04-02",
            "received_time": "10:00",
            "callback_number": NUMBER_DIGITS,
            "note": NOTE,
            "team": "antwerpen",
        },
    )
    locations.append(response["Location"])
    item = FollowUpItem.objects.get()
    # While open: the item's page shows it, to the team only; the queue and the dashboard do not.
    assert NUMBER_DIGITS in client.get(f"/follow-up/{item.uuid}/").content.decode()
    assert NUMBER_DIGITS in whole_database()
    for page in ("/follow-up/", "/follow-up/?overdue=on", "/follow-up/?kind=voicemail"):
        html = client.get(page).content.decode()
        assert NUMBER_DIGITS not in html and NOTE not in html
    coordinator_page = login(coordinator).get("/dashboard/").content.decode()
    assert NUMBER_DIGITS not in coordinator_page and NOTE not in coordinator_page
    client = login(counsellor)

    # Taken, answered by a registered contact: closed.
    locations.append(client.post(f"/follow-up/{item.uuid}/take/")["Location"])
    response = client.post(f"/follow-up/{item.uuid}/register/")
    locations.append(response["Location"])
    draft = Draft.objects.get(owner=counsellor)
    contact_register(user=counsellor, data=registration(), token=draft.token)
    item.refresh_from_db()
    assert not item.is_open
    assert not FollowUpText.objects.exists()

    # Nowhere any more: database (trail and history included), export, audit, logs, URLs, pages.
    database = whole_database()
    assert NUMBER_DIGITS not in database and NOTE not in database
    export = StringIO()
    call_command("export_contacts", "--include-text", stdout=export)
    assert NUMBER_DIGITS not in export.getvalue() and NOTE not in export.getvalue()
    trail = repr(list(AuditEvent.objects.values()))
    assert NUMBER_DIGITS not in trail and NOTE not in trail
    assert {"follow_up_open", "follow_up_view", "follow_up_take", "follow_up_close"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert NUMBER_DIGITS not in logged and NOTE not in logged
    assert all(NUMBER_DIGITS not in location and NOTE not in location for location in locations)
    detail = client.get(f"/follow-up/{item.uuid}/").content.decode()
    assert NUMBER_DIGITS not in detail and NOTE not in detail


def test_closing_with_a_reason_erases_the_number_too(voicemail, counsellor, login):
    item = voicemail(number=NUMBER_DIGITS, note=NOTE)
    login(counsellor).post(f"/follow-up/{item.uuid}/close/", {"reason": "not_reached"})
    database = whole_database()
    assert NUMBER_DIGITS not in database and NOTE not in database


def test_the_item_and_its_text_never_print_their_content(voicemail):
    item = voicemail(number=NUMBER_DIGITS, note=NOTE)
    assert NUMBER_DIGITS not in str(item) + str(item.text) + repr(item) + repr(item.text)
