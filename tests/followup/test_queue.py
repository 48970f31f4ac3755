"""The follow-up queue: items entered and opened by each rule, taken, handed out, closed by the
contact registered for them or with a reason, overdue items, and scope per team."""

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from followup import services
from followup.models import CloseReason, FollowUpItem, FollowUpText, Kind
from registration.models import Contact, Draft
from registration.services import contact_delete, contact_register, contact_update, draft_discard, draft_save
from tests.factories import ContactFactory, UserFactory, team
from tests.query_counts import AUDIT_READ

from .conftest import NUMBER, days_ago, registration

pytestmark = pytest.mark.django_db


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# ---------------------------------------------------------------------------- entered by hand


def test_a_counsellor_enters_a_voicemail_in_a_few_keys(counsellor, login):
    client = login(counsellor)
    response = client.post(
        "/follow-up/new/",
        {
            "kind": "voicemail",
            "received_date": timezone.localdate().isoformat(),
            "received_time": "00:01",
            "callback_number": NUMBER,
            "note": "Belt liefst na de middag",
            "team": "antwerpen",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/follow-up/"
    item = FollowUpItem.objects.get()
    # The deadline itself: tests/followup/test_deadlines.py.
    assert (item.kind, item.team.code, item.created_by) == (Kind.VOICEMAIL, "antwerpen", counsellor)
    assert item.text.callback_number == NUMBER
    assert item.text.note == "Belt liefst na de middag"
    [opened] = events("follow_up_open")
    assert opened.actor == counsellor
    assert opened.details == {"item": str(item.uuid), "kind": "voicemail", "team": team().pk}


def test_a_double_press_on_the_form_makes_one_item(counsellor, login):
    client = login(counsellor)
    voicemail = {
        "kind": "voicemail",
        "received_date": timezone.localdate().isoformat(),
        "received_time": "00:02",
        "callback_number": NUMBER,
        "note": "",
        "team": "antwerpen",
    }
    first = client.post("/follow-up/new/", voicemail)
    second = client.post("/follow-up/new/", voicemail, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert FollowUpItem.objects.count() == 1
    assert "geen tweede gemaakt" in second.content.decode()
    assert len(events("follow_up_open")) == 1
    # Another voicemail from another number at the same minute is another item.
    client.post("/follow-up/new/", {**voicemail, "callback_number": "0470 99 88 77"})
    assert FollowUpItem.objects.count() == 2


def test_a_voicemail_without_a_number_is_refused_next_to_the_field(counsellor, login):
    response = login(counsellor).post(
        "/follow-up/new/",
        {"kind": "voicemail", "received_date": "2024-04-02", "received_time": "10:00", "team": "antwerpen"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "callback_number": ["Een voicemail heeft een nummer om terug te bellen."]
    }
    assert FollowUpItem.objects.count() == 0


def test_an_email_is_due_two_working_days_after_it_arrived(counsellor, login):
    response = login(counsellor).post(
        "/follow-up/new/",
        {"kind": "email", "received_date": "2024-03-29", "received_time": "19:00", "team": "antwerpen"},
    )
    assert response.status_code == 302
    item = FollowUpItem.objects.get()
    assert item.due_on == date(2024, 4, 3)
    assert not FollowUpText.objects.exists()


def test_a_time_in_the_future_is_refused(counsellor, login):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = login(counsellor).post(
        "/follow-up/new/",
        {"kind": "email", "received_date": tomorrow.isoformat(), "received_time": "10:00", "team": "antwerpen"},
    )
    assert response.status_code == 400
    assert "received_time" in response.context["form"].errors


# ---------------------------------------------------------------------------- opened by the rules


def test_a_contact_marked_new_contact_expected_opens_an_item_for_its_counsellor(counsellor):
    contact = contact_register(user=counsellor, data=registration(new_contact_expected="yes"))
    item = FollowUpItem.objects.get(kind=Kind.NEW_CONTACT_EXPECTED)
    assert (item.contact, item.team.code, item.assigned_to, item.due_on) == (contact, "antwerpen", counsellor, None)
    assert events("follow_up_open")[-1].details["rule"] is True


@pytest.mark.parametrize(
    "handling",
    [{"concerning": "yes", "risk_level": "high"}, {"actions": ["notify"]}],
    ids=["concerning-and-high-risk", "notify-after-team-consultation"],
)
def test_a_very_concerning_situation_awaits_team_consultation(counsellor, handling):
    contact = contact_register(user=counsellor, data=registration(**handling))
    item = FollowUpItem.objects.get(kind=Kind.TEAM_CONSULTATION)
    # Nobody has it yet: the team decides together.
    assert (item.contact, item.assigned_to) == (contact, None)
    assert item.due_on is not None


def test_a_concerning_situation_of_medium_risk_awaits_nothing(counsellor):
    contact_register(user=counsellor, data=registration(concerning="yes", risk_level="medium"))
    assert not FollowUpItem.objects.filter(kind=Kind.TEAM_CONSULTATION).exists()


def test_an_incomplete_registration_opens_an_item_that_completing_it_closes(counsellor):
    contact = contact_register(user=counsellor, data=registration())
    assert contact.status == Contact.Status.INCOMPLETE
    item = FollowUpItem.objects.get(kind=Kind.INCOMPLETE, contact=contact)
    assert item.is_open
    complete = registration(caller_age="18_64", caller_gender="female", anonymous="yes", caller_relation="1100")
    contact = contact_update(user=counsellor, contact=contact, version=contact.version, data=complete)
    assert contact.status == Contact.Status.COMPLETE
    item.refresh_from_db()
    assert (item.is_open, item.close_reason) == (False, CloseReason.COMPLETED)
    # Incomplete again: the same item comes back.
    contact_update(user=counsellor, contact=contact, version=contact.version, data=registration())
    item.refresh_from_db()
    assert item.is_open
    assert FollowUpItem.objects.filter(kind=Kind.INCOMPLETE).count() == 1


def test_saving_again_does_not_bring_back_an_item_someone_closed(counsellor):
    contact = contact_register(user=counsellor, data=registration(new_contact_expected="yes"))
    item = FollowUpItem.objects.get(kind=Kind.NEW_CONTACT_EXPECTED)
    services.item_close(user=counsellor, item=item, reason=CloseReason.NO_FOLLOW_UP_NEEDED)
    contact_update(
        user=counsellor, contact=contact, version=contact.version, data=registration(new_contact_expected="yes")
    )
    assert FollowUpItem.objects.filter(kind=Kind.NEW_CONTACT_EXPECTED).open().count() == 0


def test_an_imported_contact_opens_no_item():
    # Legacy records come in through bulk inserts, not the registration service.
    ContactFactory(status=Contact.Status.INCOMPLETE, new_contact_expected="yes")
    assert FollowUpItem.objects.count() == 0


def test_a_draft_left_for_more_than_a_day_becomes_an_item_for_its_owner(counsellor):
    draft = draft_save(user=counsellor, token=uuid.uuid4(), data={"team": ["antwerpen"]})
    fresh = draft_save(user=counsellor, token=uuid.uuid4(), data={})
    Draft.objects.filter(pk=draft.pk).update(updated_at=days_ago(2))
    assert services.follow_ups_sweep() == 1
    assert services.follow_ups_sweep() == 0  # once
    item = FollowUpItem.objects.get(kind=Kind.DRAFT_LEFT)
    assert (item.draft, item.team.code, item.assigned_to) == (draft, "antwerpen", counsellor)
    assert not FollowUpItem.objects.filter(draft=fresh).exists()


def test_a_left_draft_registered_closes_its_item_with_the_contact(counsellor):
    draft = draft_save(user=counsellor, token=uuid.uuid4(), data={})
    Draft.objects.filter(pk=draft.pk).update(updated_at=days_ago(2))
    services.follow_ups_sweep()
    contact = contact_register(user=counsellor, data=registration(), token=draft.token)
    item = FollowUpItem.objects.get(kind=Kind.DRAFT_LEFT)
    assert (item.is_open, item.close_reason, item.answered_by) == (False, CloseReason.CONTACT_REGISTERED, contact)


def test_a_left_draft_discarded_closes_its_item_at_the_next_sweep(counsellor):
    draft = draft_save(user=counsellor, token=uuid.uuid4(), data={})
    Draft.objects.filter(pk=draft.pk).update(updated_at=days_ago(2))
    services.follow_ups_sweep()
    draft_discard(user=counsellor, token=draft.token)
    services.follow_ups_sweep()
    item = FollowUpItem.objects.get(kind=Kind.DRAFT_LEFT)
    assert (item.is_open, item.close_reason) == (False, CloseReason.DRAFT_CLOSED)


def test_deleting_a_contact_closes_its_items(counsellor):
    contact = contact_register(user=counsellor, data=registration(new_contact_expected="yes"))
    contact_delete(user=counsellor, contact=contact)
    assert FollowUpItem.objects.open().count() == 0
    assert set(FollowUpItem.objects.values_list("close_reason", flat=True)) == {CloseReason.CONTACT_DELETED}


# ---------------------------------------------------------------------------- taking and handing out


def test_a_counsellor_takes_an_item_and_colleagues_see_who_has_it(voicemail, counsellor, coordinator, login):
    counsellor.first_name, counsellor.last_name = "An", "Peeters"
    counsellor.save()
    item = voicemail()
    response = login(counsellor).post(f"/follow-up/{item.uuid}/take/")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.assigned_to == counsellor
    assert events("follow_up_take")[-1].details["assignee"] == counsellor.pk
    queue = login(coordinator).get("/follow-up/").content.decode()
    assert "An Peeters" in queue


def test_a_counsellor_cannot_take_an_item_a_colleague_has(voicemail, counsellor, login):
    colleague = UserFactory(role=Role.COUNSELLOR, teams=["antwerpen"])
    item = voicemail()
    services.item_take(user=colleague, item=item)
    response = login(counsellor).post(f"/follow-up/{item.uuid}/take/", follow=True)
    item.refresh_from_db()
    assert item.assigned_to == colleague
    assert "Een collega heeft dit punt al" in response.content.decode()


def test_a_coordinator_hands_an_item_to_a_counsellor_of_the_team(voicemail, counsellor, coordinator, login):
    item = voicemail()
    response = login(coordinator).post(f"/follow-up/{item.uuid}/assign/", {"assignee": counsellor.pk})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.assigned_to == counsellor
    assign = events("follow_up_assign")[-1]
    assert (assign.actor, assign.details["assignee"]) == (coordinator, counsellor.pk)


def test_a_coordinator_cannot_hand_an_item_to_someone_of_another_team(voicemail, counsellor_b, coordinator, login):
    item = voicemail()
    login(coordinator).post(f"/follow-up/{item.uuid}/assign/", {"assignee": counsellor_b.pk})
    item.refresh_from_db()
    assert item.assigned_to is None


def test_a_counsellor_cannot_hand_out_items(voicemail, counsellor, login):
    item = voicemail()
    assert login(counsellor).post(f"/follow-up/{item.uuid}/assign/", {"assignee": counsellor.pk}).status_code == 403


# ---------------------------------------------------------------------------- closing


def test_the_contact_registered_for_a_voicemail_closes_it(voicemail, counsellor, login):
    item = voicemail()
    client = login(counsellor)
    response = client.post(f"/follow-up/{item.uuid}/register/")
    draft = Draft.objects.get(owner=counsellor)
    assert response["Location"] == f"/contacts/drafts/{draft.token}/"
    # The registration starts as a phone call for the team; the number is not in the draft.
    assert (draft.data["channel"], draft.data["team"]) == (["phone"], ["antwerpen"])
    assert NUMBER not in str(draft.data)
    assert client.get(response["Location"]).status_code == 200
    contact = contact_register(user=counsellor, data=registration(), token=draft.token)
    item.refresh_from_db()
    assert (item.is_open, item.close_reason, item.answered_by, item.closed_by) == (
        False,
        CloseReason.CONTACT_REGISTERED,
        contact,
        counsellor,
    )
    assert not FollowUpText.objects.filter(item=item).exists()
    closed = events("follow_up_close")[-1]
    assert closed.details["reason"] == "contact_registered"
    assert list(closed.contacts.values_list("contact_id", flat=True)) == [contact.pk]


def test_a_later_contact_that_follows_up_the_earlier_one_closes_new_contact_expected(counsellor):
    earlier = contact_register(user=counsellor, data=registration(new_contact_expected="yes"))
    later = contact_register(user=counsellor, data=registration(follow_up_of=earlier))
    item = FollowUpItem.objects.get(kind=Kind.NEW_CONTACT_EXPECTED)
    assert (item.is_open, item.answered_by) == (False, later)


def test_an_item_is_closed_with_a_reason_from_the_short_list(voicemail, counsellor, login):
    item = voicemail()
    client = login(counsellor)
    assert client.post(f"/follow-up/{item.uuid}/close/", {"reason": "contact_deleted"}).status_code == 302
    item.refresh_from_db()
    assert item.is_open  # not on the short list: the system's reason
    client.post(f"/follow-up/{item.uuid}/close/", {"reason": "not_reached"})
    item.refresh_from_db()
    assert (item.is_open, item.close_reason, item.closed_by) == (False, CloseReason.NOT_REACHED, counsellor)
    assert not FollowUpText.objects.filter(item=item).exists()
    assert events("follow_up_close")[-1].details == {
        "item": str(item.uuid),
        "kind": "voicemail",
        "team": team().pk,
        "reason": "not_reached",
    }


def test_a_closed_item_cannot_be_taken_or_closed_again(voicemail, counsellor):
    item = voicemail()
    services.item_close(user=counsellor, item=item, reason=CloseReason.DUPLICATE)
    with pytest.raises(services.ItemClosed):
        services.item_take(user=counsellor, item=item)
    with pytest.raises(services.ItemClosed):
        services.item_close(user=counsellor, item=item, reason=CloseReason.NOT_REACHED)


# ---------------------------------------------------------------------------- the queue


def test_the_queue_sorts_by_deadline_and_marks_overdue_items(voicemail, counsellor, login):
    today = timezone.localdate()
    late = voicemail()
    FollowUpItem.objects.filter(pk=late.pk).update(due_on=today - timedelta(days=1))
    later = voicemail()
    FollowUpItem.objects.filter(pk=later.pk).update(due_on=today + timedelta(days=3))
    due_today = voicemail()
    FollowUpItem.objects.filter(pk=due_today.pk).update(due_on=today)
    no_deadline = contact_register(user=counsellor, data=registration(new_contact_expected="yes"))
    client = login(counsellor)
    response = client.get("/follow-up/?kind=&state=open")
    rows = response.context["rows"]
    order = [row["item"].pk for row in rows]
    expected_first = [late.pk, due_today.pk]
    assert order[:2] == expected_first
    assert order[-1] == FollowUpItem.objects.get(contact=no_deadline, kind=Kind.NEW_CONTACT_EXPECTED).pk
    assert [row["overdue"] for row in rows if row["item"].kind == Kind.VOICEMAIL] == [True, False, False]
    overdue = client.get("/follow-up/?overdue=on").context["rows"]
    assert [row["item"].pk for row in overdue] == [late.pk]
    assert 'class="overdue"' in response.content.decode()


def test_the_queue_shows_closed_items_with_their_reason(voicemail, counsellor, login):
    item = voicemail()
    services.item_close(user=counsellor, item=item, reason=CloseReason.NOT_REACHED)
    response = login(counsellor).get("/follow-up/?state=closed")
    assert [row["item"].pk for row in response.context["rows"]] == [item.pk]
    assert "Niet bereikt na herhaalde pogingen" in response.content.decode()


def test_another_teams_item_is_not_found(voicemail, counsellor_b, login):
    item = voicemail()
    client = login(counsellor_b)
    assert client.get("/follow-up/").context["rows"] == []
    assert client.get(f"/follow-up/{item.uuid}/").status_code == 404
    for action in ("take", "close", "register"):
        assert client.post(f"/follow-up/{item.uuid}/{action}/", {"reason": "duplicate"}).status_code == 404
    item.refresh_from_db()
    assert (item.is_open, item.assigned_to) == (True, None)


def test_the_flemish_coordinator_sees_no_queue(voicemail, flemish_coordinator, login):
    item = voicemail()
    client = login(flemish_coordinator)
    assert client.get("/follow-up/").status_code == 403
    assert client.get(f"/follow-up/{item.uuid}/").status_code == 403


def _items(n: int, counsellor) -> None:
    for i in range(n):
        item = services.item_open(
            user=counsellor,
            team=team(),
            kind=Kind.VOICEMAIL if i % 2 else Kind.EMAIL,
            received_at=days_ago(i % 5),
            callback_number=NUMBER if i % 2 else "",
        )
        if i % 3 == 0:
            services.item_take(user=counsellor, item=item)
        if i % 4 == 1:
            services.item_close(user=counsellor, item=item, reason=CloseReason.NOT_REACHED)
    for _ in range(n // 2):
        contact_register(user=counsellor, data=registration(new_contact_expected="yes"))


# A page that links contacts records the read (issue 11): its audit event and the contacts it names.
@pytest.mark.parametrize("query, extra", [("", AUDIT_READ), ("?overdue=on", 0), ("?state=closed", 0)])
def test_the_queue_costs_the_same_queries_at_two_sizes(counsellor, login, django_assert_num_queries, query, extra):
    client = login(counsellor)
    _items(4, counsellor)
    with django_assert_num_queries(QUEUE_QUERIES + extra) as few:
        assert client.get("/follow-up/" + query).status_code == 200
    _items(40, counsellor)
    with django_assert_num_queries(QUEUE_QUERIES + extra):
        many = client.get("/follow-up/" + query)
    assert many.status_code == 200
    assert len(few) == QUEUE_QUERIES + extra


# Session, user, OTP device; the sweep (2 reads); teams; count; the page (one join for team, assignee and
# contacts). No session save: the access gate saves it only when it moves the idle clock.
QUEUE_QUERIES = 8
