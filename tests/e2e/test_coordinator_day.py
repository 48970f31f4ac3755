"""The team coordinator's day in a real browser: log in, see what is overdue, hand it out; the
counsellor registers the contact for it, and the coordinator sees the item closed."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from followup.models import CloseReason, FollowUpItem, FollowUpText, Kind
from followup.services import item_open
from registration.models import Contact
from tests.factories import team

from .conftest import run_axe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_hands_out_an_overdue_voicemail_and_sees_it_close(
    browser_login, live_server, coordinator, counsellor
):
    counsellor.first_name, counsellor.last_name = "An", "Peeters"
    counsellor.save()
    # A voicemail from a week ago: long past its last day.
    received = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=7), datetime.min.time()))
    item = item_open(
        user=counsellor,
        team=team("antwerpen"),
        kind=Kind.VOICEMAIL,
        received_at=received.replace(hour=10),
        callback_number="0470 12 34 56",
    )
    item_open(user=counsellor, team=team("antwerpen"), kind=Kind.EMAIL, received_at=timezone.now())

    # The coordinator starts the day on the dashboard and sees one item overdue.
    page = browser_login(coordinator)
    page.goto(live_server.url + "/")
    page.wait_for_url("**/dashboard/")
    assert page.locator("#figure-overdue .big").inner_text() == "1"
    assert page.locator("#figure-open .big").inner_text() == "2"
    assert run_axe(page, live_server.url) == []

    # The figure opens the list it counts: the overdue voicemail, marked as late.
    page.locator("#figure-overdue a").click()
    page.wait_for_url("**/follow-up/?*overdue=on*")
    rows = page.locator("table.follow-ups tbody tr")
    assert rows.count() == 1
    assert "te laat" in rows.first.inner_text()
    assert "0470" not in page.content()  # the number is never in a list
    assert run_axe(page, live_server.url) == []

    # Hand it to the counsellor.
    rows.first.get_by_role("link", name="Openen").click()
    page.wait_for_url(f"**/follow-up/{item.uuid}/")
    assert "0470 12 34 56" in page.locator(".callback-number").inner_text()
    page.get_by_label("Geven aan").select_option(label="An Peeters")
    page.get_by_role("button", name="Geven").click()
    page.wait_for_url("**/follow-up/")
    assert "An Peeters" in page.locator(f"tr[data-item='{item.uuid}']").inner_text()

    # The counsellor calls back and registers the contact for the item.
    counsellor_page = browser_login(counsellor)
    counsellor_page.goto(live_server.url + f"/follow-up/{item.uuid}/")
    assert counsellor_page.locator("#item-assignee").inner_text() == "An Peeters"
    counsellor_page.get_by_role("button", name="Contact registreren").click()
    counsellor_page.wait_for_url("**/contacts/drafts/*/")
    assert counsellor_page.locator("#id_channel").input_value() == "phone"
    counsellor_page.keyboard.press("Alt+S")
    counsellor_page.wait_for_url("**/contacts/*-*/")
    contact = Contact.objects.get()

    # The coordinator sees it closed, answered by that contact, and its number gone. (A new window:
    # the suite logs every browser in through one test client, which ended the first session.)
    page = browser_login(coordinator)
    page.goto(live_server.url + "/follow-up/?state=closed")
    row = page.locator(f"tr[data-item='{item.uuid}']")
    assert "Contact geregistreerd" in row.inner_text()
    assert row.locator(f"a[href='/contacts/{contact.uuid}/']").count() == 1
    page.goto(live_server.url + f"/follow-up/{item.uuid}/")
    assert page.locator("#item-status").inner_text().startswith("Afgesloten op")
    assert "0470" not in page.content()
    item.refresh_from_db()
    assert (item.close_reason, item.answered_by) == (CloseReason.CONTACT_REGISTERED, contact)
    assert not FollowUpText.objects.filter(item=item).exists()
    page.goto(live_server.url + "/dashboard/")
    assert page.locator("#figure-overdue .big").inner_text() == "0"
    assert FollowUpItem.objects.get(kind=Kind.EMAIL).is_open
