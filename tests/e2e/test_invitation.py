"""An invitation in a real browser (issue 11): the coordinator invites, the invitee follows the mailed
link, chooses a password, logs in, enrols an authenticator app and reaches the contact list."""

import re
from base64 import b32decode

import pytest
from django.core import mail
from django_otp.oath import totp

from accounts.models import User

from .conftest import run_axe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "noordzee-en-leie-2024"
LINK = re.compile(r"https?://[^/\s]+(/account/welcome/[^/\s]+/[^/\s]+/)")


def test_an_invitee_chooses_a_password_enrols_and_sees_the_contact_list(
    browser, browser_login, live_server, coordinator
):
    # The coordinator invites a counsellor into the team.
    page = browser_login(coordinator)
    page.goto(live_server.url + "/team/invite/")
    page.get_by_label("Gebruikersnaam").fill("Lies.Maes")
    page.get_by_label("Voornaam").fill("Lies")
    page.get_by_label("Familienaam").fill("Maes")
    page.get_by_label("E-mailadres").fill("lies@example.org")
    page.get_by_role("button", name="Uitnodiging sturen").click()
    page.wait_for_url("**/team/invite/")
    assert page.get_by_role("heading", level=1).inner_text() == "Uitnodiging verstuurd"
    assert "lies@example.org" in page.content()
    assert "/account/welcome/" not in page.content()  # the link goes to the invitee only
    assert run_axe(page, live_server.url) == []

    # The invitee, in a browser of their own, opens the link from the mail.
    (message,) = mail.outbox
    assert message.to == ["lies@example.org"]
    path = LINK.search(message.body).group(1)
    context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels")
    invitee = context.new_page()
    invitee.set_default_timeout(10_000)
    try:
        invitee.goto(live_server.url + path)
        invitee.wait_for_url("**/set-password/")  # the token left the address bar at once
        assert "lies.maes" in invitee.content()
        assert run_axe(invitee, live_server.url) == []
        invitee.locator("#id_new_password1").fill(PASSWORD)
        invitee.locator("#id_new_password2").fill(PASSWORD)
        invitee.get_by_role("button", name="Wachtwoord instellen").click()
        invitee.wait_for_url("**/login/")
        assert "Je wachtwoord is ingesteld" in invitee.content()

        # Log in with the new password: enrolment of the authenticator app follows.
        invitee.get_by_label("Gebruikersnaam").fill("lies.maes")
        invitee.get_by_label("Wachtwoord").fill(PASSWORD)
        invitee.get_by_role("button", name="Aanmelden").click()
        invitee.wait_for_url("**/two-factor/setup/")
        secret = invitee.locator("code.secret").inner_text().strip()
        key = b32decode(secret + "=" * (-len(secret) % 8))
        invitee.get_by_label("Code").fill(f"{totp(key):06d}")
        invitee.get_by_role("button", name="Bevestigen").click()
        assert invitee.locator("ul.backup-codes li").count() == 10
        invitee.get_by_role("link", name="Verder").click()
        invitee.wait_for_url("**/contacts/")
        assert invitee.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Contacten").count() == 1

        # The link was for one use only.
        invitee.goto(live_server.url + path)
        assert invitee.get_by_role("heading", level=1).inner_text() == "Eerst afmelden"
        fresh = context.browser.new_context(locale="nl-BE").new_page()
        fresh.goto(live_server.url + path)
        assert fresh.get_by_role("heading", level=1).inner_text() == "Deze link werkt niet meer"
        assert run_axe(fresh, live_server.url) == []
        fresh.context.close()
    finally:
        context.close()
    user = User.objects.get(username="lies.maes")
    assert user.check_password(PASSWORD)
