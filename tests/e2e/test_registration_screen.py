"""The live-call screen in a real browser, driven by the keyboard only."""

import os
import tempfile
from pathlib import Path

import pytest
from django.db import OperationalError

from referrals.models import Referral
from registration.models import Contact, Draft, ViolenceForm
from tests.factories import ContactFactory, ReportedPersonFactory

from .conftest import run_axe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# The README's screenshot is refreshed only on request (UPDATE_SCREENSHOTS=1), so a test run
# leaves the work tree clean.
DOCS = (
    Path(__file__).resolve().parents[2] / "docs"
    if os.environ.get("UPDATE_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "helpline-screenshots"
)


def tab_to(page, element_id: str, limit: int = 120) -> None:
    """Press Tab until the element has the keyboard focus (reading where focus is, never clicking)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def choose(page, element_id: str, text: str, *, key: str = "Enter") -> None:
    tab_to(page, element_id)
    page.keyboard.type(text)
    page.keyboard.press(key)


def fill_person(page, index: int, *, gender, problem, context, violence_forms, referrals) -> None:
    p = f"id_persons-{index}-"
    tab_to(page, p + "gender")
    page.keyboard.type(gender)
    choose(page, p + "problem-ts-control", problem)
    choose(page, p + "context-ts-control", context)
    for label in violence_forms:
        choose(page, p + "violence_forms-ts-control", label)
    for label in referrals:
        choose(page, p + "referrals-ts-control", label)


def test_counsellor_registers_a_call_with_the_keyboard_only(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + "/contacts/new/")
    assert page.evaluate("document.activeElement.id") == "id_channel"
    page.keyboard.type("Telefoon")
    choose(page, "id_caller_relation-ts-control", "slachtoffer zelf")
    page.keyboard.press("Alt+P")
    fill_person(
        page,
        0,
        gender="Vrouw",
        problem="Kindermishandeling",
        context="Gescheiden kerngezin",
        violence_forms=["Emotioneel geweld", "Lichamelijk geweld", "Seksueel geweld"],
        referrals=["CAW", "Politie"],
    )
    page.keyboard.press("Alt+P")
    fill_person(
        page,
        1,
        gender="Man",
        problem="Kindermishandeling",
        context="Gescheiden kerngezin",
        violence_forms=["Emotioneel geweld"],
        referrals=[],
    )
    tab_to(page, "id_summary")
    page.keyboard.type("Moeder belt over haar twee kinderen.")
    DOCS.mkdir(exist_ok=True)
    page.keyboard.press("Alt+1")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS / "screenshot-registration.png"))
    page.keyboard.press("Alt+S")
    page.wait_for_url("**/contacts/*-*/")

    contact = Contact.objects.get()
    assert contact.channel == "phone"
    assert contact.caller_relation == "1100"
    assert contact.caller_role == "victim"
    assert contact.team.code == "antwerpen"
    assert contact.created_by == counsellor
    assert contact.text.summary == "Moeder belt over haar twee kinderen."
    persons = list(contact.persons.order_by("position"))
    assert [p.gender for p in persons] == ["female", "male"]
    assert [p.problem for p in persons] == ["child_abuse", "child_abuse"]
    assert sorted(ViolenceForm.objects.filter(person=persons[0]).values_list("code", flat=True)) == [
        "emotional_violence",
        "physical_violence",
        "sexual_violence",
    ]
    assert sorted(Referral.objects.filter(person=persons[0]).values_list("code", flat=True)) == [
        "caw",
        "police_justice",
    ]
    assert ViolenceForm.objects.filter(person__contact=contact).count() == 4
    assert Draft.objects.get().registered == contact

    # ...and finds it in the list.
    page.goto(live_server.url + "/contacts/")
    row = page.locator(f"a[href='/contacts/{contact.uuid}/']")
    assert row.count() == 1


def test_registration_screens_have_no_serious_accessibility_violation(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + "/contacts/new/")
    # Interactive within a second: the page, its type-ahead fields and its script are loaded.
    # Measured on the second load: the first one also pays for starting the browser's caches.
    page.reload()
    loaded = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    print(f"registration screen loaded in {loaded:.0f} ms")
    assert 0 < loaded < 1000, loaded
    assert page.locator(".ts-wrapper").count() >= 2
    page.keyboard.press("Alt+P")
    assert run_axe(page, live_server.url) == []

    # The same screen showing an error (a negative duration) after a save.
    tab_to(page, "id_duration_minutes")
    page.keyboard.type("-3")
    page.keyboard.press("Alt+S")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.input_value("#id_duration_minutes") == "-3"
    assert page.get_attribute("#id_duration_minutes", "aria-describedby") == "id_duration_minutes_error"
    assert run_axe(page, live_server.url) == []

    ReportedPersonFactory(contact=ContactFactory(created_by=counsellor), violence_forms=["other"], referrals=["caw"])

    for path in ["/contacts/", "/contacts/drafts/", f"/contacts/{Contact.objects.get().uuid}/"]:
        page.goto(live_server.url + path)
        assert run_axe(page, live_server.url) == [], path


def wait_for_draft(page, summary: str, seconds: float = 8) -> Draft:
    """Wait until the server holds a draft with this summary (autosave runs ~2 s after typing)."""
    for _ in range(int(seconds * 10)):
        try:
            draft = Draft.objects.filter(data__summary=[summary]).first()
        except OperationalError:
            # SQLite's shared in-memory test database locks a table while the live server writes it.
            draft = None
        if draft is not None:
            return draft
        page.wait_for_timeout(100)
    raise AssertionError("the typed text never reached the server's draft")


def test_draft_is_recovered_after_the_page_is_closed_mid_registration(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + "/contacts/new/")
    page.keyboard.type("Chat")
    page.keyboard.press("Alt+P")
    fill_person(
        page,
        0,
        gender="Vrouw",
        problem="Partnergeweld",
        context="Niet gescheiden",
        violence_forms=["Emotioneel geweld", "Economisch geweld"],
        referrals=["Hulplijnen"],
    )
    tab_to(page, "id_summary")
    page.keyboard.type("Zij belt vanuit de auto.")
    wait_for_draft(page, "Zij belt vanuit de auto.")
    context = page.context
    page.close()  # the tab is closed (or the browser crashes) before saving

    draft = Draft.objects.get()
    assert draft.owner == counsellor
    assert draft.data["summary"] == ["Zij belt vanuit de auto."]

    page = context.new_page()
    page.goto(live_server.url + "/contacts/drafts/")
    page.get_by_role("link", name="Verder registreren").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/contacts/drafts/{draft.token}/")
    assert page.input_value("#id_channel") == "chat"
    assert page.input_value("#id_summary") == "Zij belt vanuit de auto."
    assert page.input_value("#id_persons-0-problem") == "partner_violence"
    chosen = page.eval_on_selector(
        "#id_persons-0-violence_forms", "s => Array.from(s.selectedOptions).map(o => o.value)"
    )
    assert chosen == ["emotional_violence", "economic_violence"]
    page.keyboard.press("Alt+S")
    page.wait_for_url("**/contacts/*-*/")
    contact = Contact.objects.get()
    assert contact.channel == "chat"
    assert contact.text.summary == "Zij belt vanuit de auto."
    assert sorted(ViolenceForm.objects.values_list("code", flat=True)) == ["economic_violence", "emotional_violence"]
    assert Draft.objects.get().registered == contact


def test_expired_session_keeps_the_screen_and_saves_after_logging_in_again(browser_login, live_server, counsellor):
    from django.contrib.sessions.models import Session
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page = browser_login(counsellor)
    page.goto(live_server.url + "/contacts/new/")
    page.keyboard.type("Telefoon")
    tab_to(page, "id_summary")
    page.keyboard.type("Eerste zin.")
    wait_for_draft(page, "Eerste zin.")

    Session.objects.all().delete()  # the session ended on the server (idle timeout, restart)
    page.keyboard.type(" Tweede zin.")
    dialog = page.locator("#login-dialog")
    dialog.wait_for(state="visible")
    assert page.input_value("#id_summary") == "Eerste zin. Tweede zin."
    assert page.evaluate("document.activeElement.id") == "relogin-password"
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    page.locator("#relogin-code").wait_for(state="visible")
    device = TOTPDevice.objects.get(user=counsellor)
    page.keyboard.type(f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}")
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden")
    wait_for_draft(page, "Eerste zin. Tweede zin.")

    assert page.input_value("#id_summary") == "Eerste zin. Tweede zin."
    assert Draft.objects.get().data["summary"] == ["Eerste zin. Tweede zin."]
    assert page.evaluate("Object.keys(localStorage).length + Object.keys(sessionStorage).length") == 0
    page.keyboard.press("Alt+S")
    page.wait_for_url("**/contacts/*-*/")
    assert Contact.objects.get().text.summary == "Eerste zin. Tweede zin."


def test_moving_the_date_before_the_2021_switch_reopens_the_screen_with_that_days_codes(
    browser_login, live_server, counsellor
):
    page = browser_login(counsellor)
    page.goto(live_server.url + "/contacts/new/")
    page.keyboard.type("Telefoon")
    page.keyboard.press("Alt+P")
    page.fill("#id_started_date", "2020-03-14")
    page.locator("#id_started_date").blur()  # leaving the field (Tab walks its day, month, year first)
    page.wait_for_url("**/contacts/drafts/*/#id_started_date")
    assert page.input_value("#id_started_date") == "2020-03-14"
    assert page.input_value("#id_channel") == "phone"
    problems = page.eval_on_selector_all("#id_persons-0-problem option", "os => os.map(o => o.value)")
    assert "violence_against_adults" in problems
    assert "intrafamily_adult_violence" not in problems
    assert page.evaluate("document.activeElement.id") == "id_started_date"
