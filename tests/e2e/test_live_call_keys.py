"""The live-call screen under real hands: keys, autosave and dialogs as a tired counsellor meets them.

Issue 10 (points 1, 3, 4, 5, 9, 10 and two front-end bits of 11) and issue 11's autosave errors.
Each test drives the keyboard only, except where a mouse is the point (a click on a delete button).
"""

import tempfile
import time
from pathlib import Path

import pytest

from registration.models import Contact, Draft, ViolenceForm
from registration.services import draft_save
from tests.factories import UserFactory

from .test_registration_screen import choose, tab_to, wait_for_draft

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW = "/contacts/new/"
# Screenshots to look at where layout matters; outside the work tree.
SHOTS = Path(tempfile.gettempdir()) / "helpline-screenshots"
SHOTS.mkdir(exist_ok=True)


def active_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def assert_still_unsaved(page, live_server) -> None:
    """No navigation to a saved contact and no contact in the database (a submit takes < 300 ms here)."""
    page.wait_for_timeout(300)
    assert page.url == live_server.url + NEW
    assert Contact.objects.count() == 0


def draft_value(name: str):
    draft = Draft.objects.get()
    return draft.data.get(name)


def wait_for_draft_value(page, name: str, value, seconds: float = 8):
    for _ in range(int(seconds * 10)):
        draft = Draft.objects.first()
        if draft is not None and draft.data.get(name) == value:
            return draft
        page.wait_for_timeout(100)
    raise AssertionError(f"the draft never held {name}={value!r}: {Draft.objects.first() and draft_value(name)!r}")


# ---------------------------------------------------------------------------- point 1: Enter


def test_enter_in_a_field_chooses_or_moves_on_and_never_registers(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    page.keyboard.type("Telefoon")

    tab_to(page, "id_duration_minutes")
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    assert_still_unsaved(page, live_server)
    assert active_id(page) == "id_team"  # Enter moved on, as Tab would

    page.focus("#id_started_date")
    page.keyboard.press("Enter")
    assert_still_unsaved(page, live_server)
    assert active_id(page) == "id_started_time"
    page.keyboard.press("Enter")
    assert_still_unsaved(page, live_server)
    assert active_id(page) == "id_channel"

    tab_to(page, "id_caller_relation-ts-control")
    page.keyboard.type("slachtoffer zelf")
    page.keyboard.press("Enter")  # chooses
    assert_still_unsaved(page, live_server)
    assert active_id(page) == "id_caller_relation-ts-control"
    page.keyboard.press("Enter")  # the second Enter moves on
    assert_still_unsaved(page, live_server)
    assert active_id(page) == "id_follow_up_of-ts-control"

    page.keyboard.press("Alt+P")
    tab_to(page, "id_persons-0-violence_forms-ts-control")
    page.keyboard.type("Emotioneel")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # not a second form of violence, not a save
    assert_still_unsaved(page, live_server)
    assert active_id(page) == "id_persons-0-referrals-ts-control"

    first_action = page.locator("input[name=actions]").first
    tab_to(page, first_action.get_attribute("id"))
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # on a ticked checkbox
    assert_still_unsaved(page, live_server)
    action = first_action.get_attribute("value")

    # Ctrl+Enter is no save key either: only Alt+S, Ctrl+S and the button save.
    tab_to(page, "id_summary")
    page.keyboard.type("Moeder belt.")
    page.keyboard.press("Control+Enter")
    assert_still_unsaved(page, live_server)

    page.keyboard.press("Alt+S")
    page.wait_for_url("**/contacts/*-*/")
    contact = Contact.objects.get()
    assert contact.channel == "phone"
    assert contact.duration_minutes == 12
    assert contact.caller_relation == "1100"
    assert contact.actions == [action]
    assert contact.text.summary == "Moeder belt."
    assert list(ViolenceForm.objects.values_list("code", flat=True)) == ["emotional_violence"]


# ---------------------------------------------------------------------------- point 3: Tab in a multi-choice list


def test_tab_in_a_multi_choice_list_keeps_what_was_typed(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    page.keyboard.press("Alt+P")
    choose(page, "id_persons-0-violence_forms-ts-control", "seks", key="Tab")
    assert active_id(page) == "id_persons-0-referrals-ts-control"  # and Tab still moved on
    choose(page, "id_persons-0-referrals-ts-control", "vk", key="Tab")
    # Passing through a multi-choice list without typing adds nothing.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert active_id(page) == "id_persons-0-violence_forms-ts-control"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Alt+S")
    page.wait_for_url("**/contacts/*-*/")
    person = Contact.objects.get().persons.get()
    assert list(person.violence_forms.values_list("code", flat=True)) == ["sexual_violence"]
    assert list(person.referrals.values_list("code", flat=True)) == ["vk_ocj"]


# ---------------------------------------------------------------------------- point 4: continuous typing


SENTENCE = "Moeder belt over haar dochter van negen; de stiefvader slaat haar al maanden. "


def test_continuous_typing_reaches_the_server_while_typing(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    tab_to(page, "id_summary")
    typed = ""
    started = time.monotonic()
    # About 11 characters a second, never a pause of 2 s: a counsellor typing through a call.
    while time.monotonic() - started < 9:
        chunk = SENTENCE[len(typed) % len(SENTENCE) :][:10]
        page.keyboard.type(chunk, delay=90)
        typed += chunk
    stored = (Draft.objects.first().data.get("summary") or [""])[0] if Draft.objects.exists() else ""
    # All but (at most) the last 5 seconds of typing are on the server before the tab closes.
    assert typed.startswith(stored)
    assert len(stored) >= len(typed) - 5 * 11, (len(stored), len(typed))
    page.close()  # the tab closes mid-sentence
    stored = Draft.objects.get().data["summary"][0]
    assert typed.startswith(stored)
    assert len(stored) >= len(typed) - 5 * 11


def test_saved_at_is_shown_only_for_what_the_server_holds(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    status = page.locator("#autosave-status")
    tab_to(page, "id_summary")
    page.keyboard.type("Eerste")
    wait_for_draft(page, "Eerste")
    page.wait_for_function("document.getElementById('autosave-status').textContent.includes('bewaard om')")
    assert page.input_value("#id_summary") == "Eerste"

    page.keyboard.type(" zin")
    # The screen now holds more than the server: it no longer says the concept is saved.
    assert "bewaard om" not in status.text_content()
    wait_for_draft(page, "Eerste zin")
    page.wait_for_function("document.getElementById('autosave-status').textContent.includes('bewaard om')")
    assert Draft.objects.get().data["summary"] == ["Eerste zin"]


# ---------------------------------------------------------------------------- issue 11: autosave errors


def autosave_calls(page) -> list[float]:
    calls: list[float] = []
    page.on("request", lambda r: calls.append(time.monotonic()) if r.url.endswith("/autosave/") else None)
    return calls


def test_autosave_stops_with_a_message_when_the_draft_is_refused(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    tab_to(page, "id_summary")
    page.keyboard.type("Eerste")
    draft = wait_for_draft(page, "Eerste")
    # The draft is no longer the counsellor's (403 from the server itself).
    draft.owner = UserFactory(username="someone_else")
    draft.save()

    calls = autosave_calls(page)
    page.keyboard.type(" zin")
    page.locator("#id_summary").blur()
    page.wait_for_timeout(5000)
    assert 1 <= len(calls) <= 2, len(calls)  # one refusal (and at most one retry with a fresh token)
    assert "gestopt" in page.locator("#autosave-status").text_content()
    page.focus("#id_summary")
    page.keyboard.type(" meer")
    page.locator("#id_summary").blur()
    page.wait_for_timeout(2500)
    assert len(calls) <= 2  # stopped means stopped
    assert page.input_value("#id_summary") == "Eerste zin meer"  # nothing typed is taken off the screen


# Each autosave request's moment on the page's own clock.
RECORD_AUTOSAVES = """(() => {
  const send = window.fetch;
  window.autosavesAt = [];
  window.fetch = function (url) {
    if (String(url).endsWith("/autosave/")) window.autosavesAt.push(Date.now());
    return send.apply(this, arguments);
  };
})()"""


class PageTime:
    """The page's clock under the test's hand (Playwright's clock): timers run when the test moves
    time on, so a retry 10 s later takes milliseconds of real time."""

    STEP = 500

    def __init__(self, page):
        self.page = page
        page.clock.install()
        page.add_init_script(RECORD_AUTOSAVES)

    def run(self, ms: int) -> None:
        for _ in range(ms // self.STEP):
            self.page.clock.run_for(self.STEP)
            # Real time for the request the timers sent, and its answer, to come and go.
            self.page.wait_for_timeout(15)

    def autosaves(self) -> list[int]:
        return self.page.evaluate("window.autosavesAt")


def test_autosave_stops_on_not_found_and_backs_off_on_errors(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    time_ = PageTime(page)
    page.goto(live_server.url + NEW)
    page.route("**/autosave/", lambda route: route.fulfill(status=404, body="Not found"))
    tab_to(page, "id_summary")
    page.keyboard.type("Eerste")
    page.locator("#id_summary").blur()
    time_.run(7000)
    assert len(time_.autosaves()) == 1
    assert "gestopt" in page.locator("#autosave-status").text_content()

    page = browser_login(counsellor)
    time_ = PageTime(page)
    page.goto(live_server.url + NEW)
    page.route("**/autosave/", lambda route: route.fulfill(status=500, body="Server Error"))
    tab_to(page, "id_summary")
    page.keyboard.type("Eerste")
    page.locator("#id_summary").blur()
    time_.run(17_000)
    calls = time_.autosaves()
    # Retries wait longer each time (5 s, 10 s, …), not every 5 s for ever.
    assert len(calls) == 3, calls
    assert calls[1] - calls[0] >= 5000 - 50 and calls[2] - calls[1] >= 10_000 - 50, calls
    assert "Niet bewaard" in page.locator("#autosave-status").text_content()


# ---------------------------------------------------------------------------- point 5: nothing deleted by one key


def test_removing_a_person_asks_first_and_is_off_the_tab_path(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    page.keyboard.press("Alt+P")
    choose(page, "id_persons-0-problem-ts-control", "Kindermishandeling")
    page.keyboard.press("Alt+P")
    choose(page, "id_persons-1-problem-ts-control", "Partnergeweld")
    choose(page, "id_persons-1-referrals-ts-control", "CAW")
    # One Tab after the last referral does not reach a delete button.
    page.keyboard.press("Tab")
    assert active_id(page) == "add-person"

    # A click asks first; Enter on the question keeps the person.
    page.locator("#id_persons-1-problem").locator("xpath=ancestor::fieldset").get_by_role(
        "button", name="Verwijder deze persoon"
    ).click()
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    assert "Gemelde persoon 2" in dialog.text_content()
    page.screenshot(path=str(SHOTS / "confirm-remove-person.png"))
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden")
    assert page.locator("[data-person]:not([hidden])").count() == 2

    # The keyboard's way: Alt+Shift+P on the person, then the explicit "yes".
    page.focus("#id_persons-0-problem-ts-control")
    page.keyboard.press("Alt+Shift+P")
    dialog.wait_for(state="visible")
    assert "Gemelde persoon 1" in dialog.text_content()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.locator("[data-person]:not([hidden])").count() == 2
    page.focus("#id_persons-0-problem-ts-control")
    page.keyboard.press("Alt+Shift+P")
    dialog.wait_for(state="visible")
    page.get_by_role("button", name="Ja, verwijderen").focus()
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden")
    assert page.locator("[data-person]:not([hidden])").count() == 1

    page.keyboard.press("Alt+S")
    page.wait_for_url("**/contacts/*-*/")
    assert list(Contact.objects.get().persons.values_list("problem", flat=True)) == ["partner_violence"]


def test_discarding_a_draft_asks_first(browser_login, live_server, counsellor):
    import uuid

    token = uuid.uuid4()
    draft_save(user=counsellor, token=token, data={"channel": ["chat"], "summary": ["Zij belt."]})
    page = browser_login(counsellor)
    page.goto(live_server.url + "/contacts/drafts/")
    page.get_by_role("link", name="Verder registreren").focus()
    page.screenshot(path=str(SHOTS / "drafts.png"))
    # The next Tab does not land on the discard.
    page.keyboard.press("Tab")
    assert "Weggooien" not in page.evaluate("document.activeElement.textContent")

    # From the keyboard: Delete on the draft asks first.
    page.get_by_role("link", name="Verder registreren").focus()
    page.keyboard.press("Delete")
    page.wait_for_url(f"**/contacts/drafts/{token}/discard/")
    assert Draft.objects.get().discarded_at is None  # asking is not discarding
    # The safe answer has the focus: Enter keeps the draft.
    page.wait_for_function("document.activeElement.textContent.includes('Nee, terug')")
    page.screenshot(path=str(SHOTS / "confirm-discard.png"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/contacts/drafts/")
    assert Draft.objects.get().discarded_at is None
    page.get_by_role("link", name="Weggooien").click()
    page.get_by_role("button", name="Ja, weggooien").click()
    page.wait_for_url("**/contacts/drafts/")
    assert Draft.objects.get().discarded_at is not None
    assert Draft.objects.get().data == {}


def test_nothing_focused_by_tab_hides_under_the_save_bar(browser_login, live_server, counsellor):
    page = browser_login(counsellor, viewport={"width": 1280, "height": 720})
    page.goto(live_server.url + NEW)
    page.keyboard.press("Alt+P")
    page.keyboard.press("Alt+P")
    page.focus("#id_started_date")
    hidden = []
    for _ in range(80):
        page.keyboard.press("Tab")
        box = page.evaluate(
            """() => {
              const el = document.activeElement;
              const bar = document.querySelector('.savebar');
              if (!el || bar.contains(el)) return null;
              const target = el.closest('.ts-control') || el;
              const r = target.getBoundingClientRect(), b = bar.getBoundingClientRect();
              return {id: el.id || el.textContent.trim(), bottom: r.bottom, top: r.top, bar: b.top};
            }"""
        )
        if box is None:
            break
        if box["bottom"] > box["bar"] or box["top"] < 0:
            hidden.append(box)
    else:
        raise AssertionError("Tab never reached the save bar")
    assert hidden == []


# ---------------------------------------------------------------------------- point 9: the session dialog


def test_the_session_dialog_waits_for_a_pause_and_keeps_typed_keys(browser_login, live_server, counsellor):
    from django.contrib.sessions.models import Session

    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    page.keyboard.press("Alt+P")
    tab_to(page, "id_persons-0-problem-ts-control")
    page.keyboard.type("Kinder")
    page.wait_for_timeout(2500)
    Session.objects.all().delete()  # the session ends on the server while the counsellor types
    page.keyboard.press("Enter")
    tab_to(page, "id_persons-0-context-ts-control")  # leaving a field saves: the server says "log in"
    page.keyboard.type("Gescheiden", delay=120)
    page.keyboard.press("Enter")
    # Everything typed went into the field; the dialog did not take a single key.
    assert page.input_value("#id_persons-0-context") == "separated_nuclear_family"
    assert page.input_value("#relogin-password") == ""
    assert page.locator("#login-dialog").is_visible() is False
    # It is announced at once, and opens (taking the focus) after a pause in the typing.
    status = page.locator("#autosave-status")
    assert status.get_attribute("aria-live") == "polite"
    assert "Sessie verlopen" in status.text_content()
    page.locator("#login-dialog").wait_for(state="visible")
    assert active_id(page) == "relogin-password"


# ---------------------------------------------------------------------------- point 10: summary, one Tab


def test_summary_has_a_shortcut_and_a_type_ahead_costs_one_tab(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    assert "Alt+T" in page.locator(".savebar .shortcuts").text_content()
    page.keyboard.press("Alt+P")
    page.keyboard.press("Alt+T")
    assert active_id(page) == "id_summary"

    for field, after in [
        ("id_caller_relation-ts-control", "id_follow_up_of-ts-control"),
        ("id_persons-0-problem-ts-control", "id_persons-0-context-ts-control"),
        ("id_persons-0-violence_forms-ts-control", "id_persons-0-referrals-ts-control"),
    ]:
        page.focus("#" + field)
        assert page.locator(f"#{field.removesuffix('-ts-control')}-ts-dropdown").is_visible()  # opened on focus
        page.keyboard.press("Tab")
        assert active_id(page) == after, field
    # Passing by chose nothing.
    assert page.input_value("#id_caller_relation") == ""
    assert page.input_value("#id_persons-0-problem") == ""


# ---------------------------------------------------------------------------- point 11: the type-ahead's look


def test_type_ahead_shows_no_empty_label_while_typing_and_long_options_whole(browser_login, live_server, counsellor):
    page = browser_login(counsellor, viewport={"width": 1280, "height": 800})
    page.goto(live_server.url + NEW)
    page.keyboard.press("Alt+P")
    tab_to(page, "id_persons-0-context-ts-control")
    page.keyboard.type("gez")
    control = page.locator("#id_persons-0-context-ts-control").locator("xpath=..")
    assert "leeg" not in control.inner_text()
    page.screenshot(path=str(SHOTS / "typing.png"))

    page.select_option("#id_caller_age", "adult_unknown")
    page.select_option("#id_persons-0-age", "adult_unknown")
    page.select_option("#id_persons-0-gender", "nonbinary_other")
    choose(page, "id_persons-0-problem-ts-control", "geen interpersoonlijk")
    page.screenshot(path=str(SHOTS / "long-options.png"), full_page=True)
    # Every select shows its chosen option whole: the text fits in the box.
    cut = page.evaluate(
        """() => {
          const ctx = document.createElement('canvas').getContext('2d');
          const cut = [];
          document.querySelectorAll('#registration-form select:not([aria-hidden=true])').forEach(s => {
            if (!s.offsetParent || !s.selectedOptions.length) return;
            const st = getComputedStyle(s);
            ctx.font = st.font;
            const need = ctx.measureText(s.selectedOptions[0].text).width;
            const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 20;
            if (need > room) cut.push(s.id);
          });
          document.querySelectorAll('#registration-form .ts-control .item').forEach(i => {
            const box = i.closest('.ts-control').getBoundingClientRect();
            if (i.scrollWidth > i.clientWidth + 1 || i.getBoundingClientRect().right > box.right + 1) {
              cut.push(i.textContent);
            }
          });
          return cut;
        }"""
    )
    assert cut == []
