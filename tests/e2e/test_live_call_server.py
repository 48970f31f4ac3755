"""Issue 10, the server side of the live-call screen, in a real browser: the right code first,
no second contact after Back or a fast double save, person changes in the conflict view."""

import re
import tempfile
from pathlib import Path

import pytest
from django.db.models import F

from referrals.models import Referral
from registration.models import Code, Contact, Draft, ViolenceForm
from tests.factories import DEMO_PASSWORD, ContactFactory, ReportedPersonFactory

from .test_registration_screen import choose, tab_to

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW = "/contacts/new/"
DETAIL = re.compile(r"/contacts/[0-9a-f-]{36}/$")


def saved_contact(page) -> Contact:
    page.keyboard.press("Alt+S")
    page.wait_for_url("**/contacts/*-*/")
    return Contact.objects.get()


def person_codes(contact: Contact, field: str) -> list[str]:
    person = contact.persons.get()
    if field == "violence_forms":
        return sorted(ViolenceForm.objects.filter(person=person).values_list("code", flat=True))
    if field == "referrals":
        return sorted(Referral.objects.filter(person=person).values_list("code", flat=True))
    return [getattr(person, field)]


# Each example of the issue: (what is typed in Relatie, the code Enter must store), and one
# in a reported person's list in the same registration.
RANKING = [
    (("zelf", "1100"), ("violence_forms", "fysiek", "physical_violence")),
    (("ouder", "1200"), ("context", "gezin", "separated_nuclear_family")),
    (("moeder", "1200"), ("violence_forms", "verwaarl", "emotional_neglect")),
    (("stiefouder", "1200"), ("problem", "ouder", "parent_abuse")),
    (("leerkracht", "3100"), ("context", "leerkracht", "school")),
    (("1200", "1200"), ("referrals", "vk", "vk_ocj")),
]


@pytest.mark.parametrize(("relation", "person"), RANKING, ids=[f"{r[0]}+{p[1]}" for r, p in RANKING])
def test_enter_stores_the_right_code_first(browser_login, live_server, counsellor, relation, person):
    typed, relation_code = relation
    field, person_typed, person_code = person
    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    page.keyboard.type("Telefoon")
    choose(page, "id_caller_relation-ts-control", typed)
    page.keyboard.press("Alt+P")
    choose(page, f"id_persons-0-{field}-ts-control", person_typed)
    contact = saved_contact(page)
    assert contact.caller_relation == relation_code
    assert person_codes(contact, field) == [person_code]


def test_the_relation_dropdown_shows_its_groups_in_rank_order(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    tab_to(page, "id_caller_relation-ts-control")
    page.keyboard.type("ouder")
    dropdown = page.locator("#id_caller_relation-ts-dropdown")
    headers = dropdown.locator(".optgroup-header").all_text_contents()
    options = dropdown.locator(".option").all_text_contents()
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "h10b-relation-ouder.png"))
    # Each group comes where its best option ranks; inside a group, the options by rank.
    assert headers == [
        "Persoon uit de omgeving van het slachtoffer",
        "Persoon uit de omgeving van de dader",
        "Welzijn, gezondheid en gezin",
    ]
    assert options[:2] == ["1200 (stief)ouder(s) van het slachtoffer", "1400 grootouder(s)"]
    assert options.index("6300 ouderen") < options.index("6100 kinderen en jongeren")


def test_search_words_edited_in_the_admin_are_found_by_typing(browser_login, live_server, counsellor):
    code = Code.objects.get(list="caller_relation", code="1700")
    code.search_nl = "buurmeisje, babysit"
    code.save()  # as the admin saves it: every process reads the codes again
    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    page.keyboard.type("Telefoon")
    choose(page, "id_caller_relation-ts-control", "babysit")
    assert saved_contact(page).caller_relation == "1700"
    assert Draft.objects.get().registered is not None


SLOW_SESSION_CHECK = """
const fetchNow = window.fetch;
window.fetch = function (url) {
  const answer = fetchNow.apply(this, arguments);
  if (!String(url).includes("/contacts/session/")) return answer;
  return answer.then((response) => new Promise((resolve) => setTimeout(() => resolve(response), 300)));
};
"""


def test_two_saves_50_ms_apart_make_one_contact_and_show_it(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    # A busy server: the session check the page makes before saving answers after 300 ms.
    page.add_init_script(SLOW_SESSION_CHECK)
    page.goto(live_server.url + NEW)
    page.keyboard.type("Telefoon")
    tab_to(page, "id_summary")
    page.keyboard.type("Twee keer op opslaan gedrukt.")
    saves = []
    page.on("request", lambda r: saves.append(r.url) if r.method == "POST" and r.url.endswith(NEW) else None)
    page.keyboard.press("Alt+S")
    page.wait_for_timeout(50)
    page.keyboard.press("Alt+S")
    # Not wait_for_url: with two saves the first navigation is aborted by the second.
    for _ in range(100):
        if DETAIL.search(page.url):
            break
        page.wait_for_timeout(100)
    page.wait_for_load_state()

    contact = Contact.objects.get()
    assert page.url == f"{live_server.url}/contacts/{contact.uuid}/"
    assert page.locator("h1").first.text_content() != "Server Error (500)"
    assert contact.text.summary == "Twee keer op opslaan gedrukt."
    assert len(saves) == 1


def test_back_after_saving_says_it_was_saved_and_alt_s_makes_no_second_contact(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    page.keyboard.type("Telefoon")
    tab_to(page, "id_summary")
    page.keyboard.type("Moeder belt over haar dochter.")
    contact = saved_contact(page)

    page.go_back()
    page.wait_for_selector("#already-registered")
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "h10b-back-after-save.png"))
    assert page.locator("h1").first.text_content() == "Dit contact is al bewaard"
    assert page.locator("#registration-form").count() == 0
    page.keyboard.press("Alt+S")
    page.wait_for_timeout(500)
    assert Contact.objects.count() == 1

    # The saved contact is one Enter away.
    assert page.evaluate("document.activeElement.id") == "open-registered"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/contacts/{contact.uuid}/")
    assert Contact.objects.get() == contact


def test_conflict_view_shows_a_colleagues_added_form_and_saving_again_keeps_it(browser_login, live_server, counsellor):
    contact = ContactFactory(created_by=counsellor, duration_minutes=10)
    person = ReportedPersonFactory(contact=contact, gender="female", violence_forms=["emotional_violence"])
    page = browser_login(counsellor)
    page.goto(f"{live_server.url}/contacts/{contact.uuid}/edit/")

    # Meanwhile a colleague adds a form of violence to the reported person and saves.
    ViolenceForm.objects.create(person=person, code="sexual_violence")
    Contact.objects.filter(pk=contact.pk).update(version=F("version") + 1)

    tab_to(page, "id_duration_minutes")
    page.keyboard.press("Control+A")
    page.keyboard.type("25")
    page.keyboard.press("Alt+S")
    page.wait_for_selector("#conflict")
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "h10b-conflict.png"), full_page=True)
    row = page.locator("#conflict tbody tr", has_text="Gemelde persoon 1 – Vormen van geweld")
    assert row.locator("td").all_text_contents() == [
        "Emotioneel geweld",
        "Emotioneel geweld, Seksueel geweld",
        "Emotioneel geweld",
        "overgenomen van je collega",
    ]
    chosen = page.eval_on_selector(
        "#id_persons-0-violence_forms", "s => Array.from(s.selectedOptions).map(o => o.value)"
    )
    assert sorted(chosen) == ["emotional_violence", "sexual_violence"]

    page.keyboard.press("Alt+S")
    page.wait_for_url(f"**/contacts/{contact.uuid}/")
    contact.refresh_from_db()
    assert contact.duration_minutes == 25
    assert sorted(ViolenceForm.objects.filter(person=person).values_list("code", flat=True)) == [
        "emotional_violence",
        "sexual_violence",
    ]


def test_one_wrong_code_at_login_says_the_code_is_wrong(browser, live_server, counsellor):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)
    context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels")
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.keyboard.type(counsellor.username)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/verify/**")
    right = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.keyboard.type(f"{(right + 1) % 1_000_000:06d}")
    page.keyboard.press("Enter")
    page.wait_for_selector("#token-errors")
    assert page.text_content("#token-errors").strip() == "Deze code klopt niet."
    context.close()


FORMAL = re.compile(r"\b(u|uw|U|Uw)\b")


def test_the_screen_speaks_to_the_counsellor_as_je_and_names_the_phone_menu_region(
    browser_login, live_server, counsellor
):
    page = browser_login(counsellor)
    for path in (NEW, "/contacts/drafts/"):
        page.goto(live_server.url + path)
        # textContent: also the re-login dialog and the templates the page has not shown yet.
        text = page.evaluate("document.body.textContent")
        assert FORMAL.findall(text) == [], path
    assert "Je hebt geen open concepten." in text
    page.goto(live_server.url + NEW)
    assert page.text_content("label[for=id_caller_region]") == "Regio gekozen in het telefoonmenu"
