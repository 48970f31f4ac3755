"""The follow-up API for integrations: a voicemail or an e-mail handed in answers 201 with the
item's id and last day; the number never appears in a list, a log or the trail; the schema
stays valid; only the team's verified record users get in."""

import json
import logging
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from followup.models import FollowUpItem, FollowUpText

pytestmark = pytest.mark.django_db

URL = "/api/follow-up/"
BRUSSELS = ZoneInfo("Europe/Brussels")
NUMBER = "0499" + str(uuid.uuid4().int)[:6]
NOTE = f"NOTE{uuid.uuid4().hex}"


def post(client, **fields):
    return client.post(URL, json.dumps(fields), content_type="application/json")


def friday_evening_before_easter() -> str:
    return datetime(2024, 3, 29, 19, 0, tzinfo=BRUSSELS).isoformat()


def test_an_integration_hands_in_a_voicemail_and_gets_its_id_and_last_day(counsellor, login, caplog):
    caplog.set_level(logging.DEBUG)
    client = login(counsellor)
    response = post(
        client, kind="voicemail", received_at="2024-03-30T10:00:00+01:00", callback_number=NUMBER, note=NOTE
    )
    assert response.status_code == 201
    item = FollowUpItem.objects.get()
    # A voicemail on the Saturday before Easter Monday is due on Tuesday.
    assert response.json() == {"id": str(item.uuid), "kind": "voicemail", "team": "antwerpen", "due_on": "2024-04-02"}
    assert (item.team.code, item.created_by, item.due_on) == ("antwerpen", counsellor, date(2024, 4, 2))
    assert (item.text.callback_number, item.text.note) == (NUMBER, NOTE)
    event = AuditEvent.objects.get(action="follow_up_open")
    assert event.via == "api"

    listed = client.get(URL)
    assert listed.status_code == 200
    assert listed.json()["results"] == [
        {
            "id": str(item.uuid),
            "team": "antwerpen",
            "kind": "voicemail",
            "received_at": "2024-03-30T10:00:00+01:00",
            "due_on": "2024-04-02",
            "overdue": True,
            "assigned": False,
        }
    ]
    # Never in a list, the trail, the logs.
    for seen in (listed.content.decode(), repr(list(AuditEvent.objects.values()))):
        assert NUMBER not in seen and NOTE not in seen
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert NUMBER not in logged and NOTE not in logged


def test_an_email_arriving_on_friday_evening_before_easter_monday_is_due_on_wednesday(counsellor, login):
    response = post(login(counsellor), kind="email", received_at=friday_evening_before_easter(), team="antwerpen")
    assert response.status_code == 201
    assert response.json()["due_on"] == "2024-04-03"
    assert not FollowUpText.objects.exists()


def test_a_retry_of_the_same_message_answers_with_the_item_it_made(counsellor, login):
    client = login(counsellor)
    first = post(client, kind="voicemail", received_at=friday_evening_before_easter(), callback_number=NUMBER)
    again = post(client, kind="voicemail", received_at=friday_evening_before_easter(), callback_number=NUMBER)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert FollowUpItem.objects.count() == 1
    other = post(client, kind="voicemail", received_at=friday_evening_before_easter(), callback_number="0470 11 22 33")
    assert other.status_code == 201
    assert FollowUpItem.objects.count() == 2


AT = "2024-04-02T10:00:00+02:00"


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"kind": "voicemail", "received_at": AT}, "callback_number"),
        (
            {"kind": "voicemail", "received_at": AT, "callback_number": "bel me"},
            "callback_number",
        ),
        (
            {"kind": "voicemail", "received_at": AT, "callback_number": "1" * 40},
            "callback_number",
        ),
        ({"kind": "email", "received_at": AT, "callback_number": NUMBER}, "callback_number"),
        ({"kind": "email", "received_at": AT, "note": "x" * 100_000}, "note"),
        ({"kind": "email", "received_at": "2999-01-01T10:00:00+01:00"}, "received_at"),
        ({"kind": "email", "received_at": "2011-12-31T10:00:00+01:00"}, "received_at"),
        ({"kind": "email", "received_at": "gisteren"}, "received_at"),
        ({"kind": "incomplete_registration", "received_at": AT}, "kind"),
        ({"kind": "email", "received_at": AT, "team": "limburg"}, "team"),
        ({"kind": "email", "received_at": AT, "team": "geen-team"}, "team"),
    ],
)
def test_a_malformed_message_is_refused_field_by_field(counsellor, login, fields, field):
    response = post(login(counsellor), **fields)
    assert response.status_code == 400
    assert field in response.json()
    assert NUMBER not in response.content.decode()
    assert not FollowUpItem.objects.exists()


@pytest.mark.parametrize("note", [r"a\u0000b", r"\ud800", "a\x00b"])
def test_a_nul_or_a_lone_surrogate_is_refused(counsellor, login, note):
    body = '{"kind": "email", "received_at": "' + AT + '", "note": "' + note + '"}'
    response = login(counsellor).post(URL, body.encode(), content_type="application/json")
    assert response.status_code == 400
    assert not FollowUpItem.objects.exists()


def test_a_coordinator_of_several_teams_names_the_team(login):
    from accounts.models import Role
    from tests.factories import UserFactory

    coordinator = UserFactory(role=Role.TEAM_COORDINATOR, teams=["antwerpen", "limburg"])
    client = login(coordinator)
    assert "team" in post(client, kind="email", received_at=friday_evening_before_easter()).json()
    response = post(client, kind="email", received_at=friday_evening_before_easter(), team="limburg")
    assert response.status_code == 201
    assert FollowUpItem.objects.get().team.code == "limburg"


def test_the_list_shows_only_the_users_teams_open_items(counsellor, counsellor_b, login):
    post(login(counsellor), kind="email", received_at=friday_evening_before_easter())
    assert login(counsellor_b).get(URL).json()["results"] == []
    assert len(login(counsellor).get(URL).json()["results"]) == 1


def test_only_verified_record_users_get_in(
    client, counsellor, coordinator, flemish_coordinator, administrator, login, login_unverified
):
    fields = {"kind": "email", "received_at": friday_evening_before_easter()}
    assert post(client, **fields).status_code == 403
    assert post(login_unverified(counsellor), **fields).status_code == 403
    assert post(login(flemish_coordinator), **fields).status_code == 403
    assert post(login(administrator), **fields).status_code == 403
    assert not FollowUpItem.objects.exists()
    assert post(login(coordinator), **fields).status_code == 201


def test_the_schema_stays_valid_and_documents_the_follow_up_api(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    assert "/api/follow-up/" in schema
    assert "ItemInput" in schema and "ItemCreated" in schema


def test_a_number_handed_in_through_the_api_is_gone_after_closing(counsellor, login, caplog):
    from io import StringIO

    from .test_callback_number import whole_database

    caplog.set_level(logging.DEBUG)
    client = login(counsellor)
    item_id = post(client, kind="voicemail", received_at=AT, callback_number=NUMBER, note=NOTE).json()["id"]
    assert NUMBER in whole_database()
    assert client.post(f"/follow-up/{item_id}/close/", {"reason": "not_reached"}).status_code == 302
    export = StringIO()
    call_command("export_contacts", "--include-text", stdout=export)
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    for place in (whole_database(), export.getvalue(), repr(list(AuditEvent.objects.values())), logged):
        assert NUMBER not in place and NOTE not in place
    assert client.get(URL).json()["results"] == []
