"""Invitations by single-use link (issue 11): nobody but the invitee ever knows their password."""

import re
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import Role, User
from accounts.tokens import InvitationTokenGenerator, invitation_token_generator
from audit.models import AuditEvent
from tests.conftest import verify_two_factor
from tests.factories import DEMO_PASSWORD, UserFactory

NEW_PASSWORD = "lente-boven-de-schelde-42"
INVITE = {"username": "an.peeters", "first_name": "An", "last_name": "Peeters", "email": "an@example.org"}
LINK = re.compile(r"https?://[^/\s]+(/account/welcome/[^/\s]+/[^/\s]+/)")


def invite(client, **changes):
    return client.post(reverse("team:invite"), {**INVITE, **changes})


def link_path(message) -> str:
    return LINK.search(message.body).group(1)


def choose_password(path: str, password: str = NEW_PASSWORD):
    """Follow the link as the invitee (a browser of their own) and choose a password."""
    browser = Client()
    opened = browser.get(path)
    response = browser.post(opened["Location"], {"new_password1": password, "new_password2": password})
    return browser, opened, response


@pytest.fixture
def invited(login, coordinator, mailoutbox):
    """(user, path of the mailed link) for a counsellor the coordinator has just invited."""
    assert invite(login(coordinator)).status_code == 200
    return User.objects.get(username="an.peeters"), link_path(mailoutbox[-1])


def test_an_invited_account_has_no_password_and_the_page_shows_neither_password_nor_link(
    login, coordinator, mailoutbox
):
    response = invite(login(coordinator))
    user = User.objects.get(username="an.peeters")
    assert user.has_usable_password() is False
    html = response.content.decode()
    assert "an@example.org" in html  # where the link went
    assert "/account/welcome/" not in html
    assert invitation_token_generator.make_token(user).split("-")[1] not in html
    assert response.context["sent"] is True


def test_the_invitee_gets_one_mail_with_a_link_and_no_case_data(invited, mailoutbox):
    user, path = invited
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["an@example.org"]
    assert message.subject == "1712 registratie: kies je wachtwoord"
    assert "an.peeters" in message.body and "72 uur" in message.body
    assert path.startswith("/account/welcome/")
    assert "testserver" in message.body  # an absolute link, to where the coordinator works


def test_the_link_lets_the_invitee_choose_a_password_then_log_in_and_enrol(invited):
    user, path = invited
    browser, opened, response = choose_password(path)
    # The token leaves the URL before the form is shown (no Referer, no access log carries it).
    assert opened.status_code == 302
    assert opened["Location"].endswith("/set-password/")
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert token not in opened["Location"]
    assert response.status_code == 302 and response["Location"] == reverse("login")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    login = browser.post(reverse("login"), {"username": "an.peeters", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert browser.get(reverse("accounts:two-factor"))["Location"] == reverse("accounts:otp-setup")


def test_the_set_password_form_shows_no_token_and_names_the_account(invited):
    user, path = invited
    browser = Client()
    page = browser.get(browser.get(path)["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert path.rstrip("/").rsplit("/", 1)[1] not in html
    assert "an.peeters" in html
    assert 'name="new_password1"' in html


def test_the_link_works_once(invited):
    user, path = invited
    choose_password(path)
    again = Client().get(path)
    assert again.status_code == 200
    assert again.templates[0].name == "accounts/invitation_invalid.html"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_double_submit_of_the_password_form_sets_it_once(invited):
    user, path = invited
    browser = Client()
    form_url = browser.get(path)["Location"]
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert browser.post(form_url, data).status_code == 302
    other = "iets-anders-dan-eerst-7"
    second = browser.post(form_url, {"new_password1": other, "new_password2": other})
    assert second.templates[0].name == "accounts/invitation_invalid.html"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="password_set").count() == 1


def test_the_password_validators_apply(invited):
    user, path = invited
    for weak in ("kort1", "12345678901234", "password1234", "an.peeters2024"):
        browser, _opened, response = choose_password(path, weak)
        assert response.status_code == 200, weak
        assert response.context["form"].errors["new_password2"], weak
    user.refresh_from_db()
    assert user.has_usable_password() is False


def test_the_link_expires_after_72_hours(invited):
    user, path = invited
    now = InvitationTokenGenerator()._now()
    with mock.patch.object(InvitationTokenGenerator, "_now", return_value=now + timedelta(hours=71, minutes=59)):
        assert Client().get(path).status_code == 302
    with mock.patch.object(InvitationTokenGenerator, "_now", return_value=now + timedelta(hours=72, minutes=1)):
        expired = Client().get(path)
    assert expired.status_code == 200
    assert expired.templates[0].name == "accounts/invitation_invalid.html"
    assert "teamcoördinator" in expired.content.decode()


def test_a_link_opened_just_before_expiry_cannot_be_used_after_it(invited):
    user, path = invited
    browser = Client()
    form_url = browser.get(path)["Location"]
    later = InvitationTokenGenerator()._now() + timedelta(hours=73)
    with mock.patch.object(InvitationTokenGenerator, "_now", return_value=later):
        response = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.templates[0].name == "accounts/invitation_invalid.html"
    user.refresh_from_db()
    assert user.has_usable_password() is False


@pytest.mark.parametrize(
    "path",
    [
        "/account/welcome/MQ/abc/",
        "/account/welcome/MQ/set-password/",  # no token in the session
        "/account/welcome/!!!/cz1v2e-0123456789abcdef/",
        "/account/welcome/OTk5OTk5/cz1v2e-0123456789abcdef/",  # no such user
        "/account/welcome/" + "M" * 3000 + "/x-y/",
        "/account/welcome/OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5/1-2/",  # an id beyond any integer column
        "/account/welcome/MQ/zzzzzzzzzzzzzzzzzzzzzz-1/",
        "/account/welcome/MQ%00/a%00b-c/",
        "/account/welcome/%ED%A0%80/%ED%A0%80-1/",  # a lone surrogate, UTF-8 encoded
        "/account/welcome/bm90IGEgbnVtYmVy/1-2/",  # "not a number"
    ],
)
def test_a_garbled_link_answers_a_clear_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.templates[0].name == "accounts/invitation_invalid.html"


def test_one_accounts_token_does_not_open_another(invited):
    user, path = invited
    other = UserFactory(role=Role.COUNSELLOR)
    other.set_unusable_password()
    other.save()
    token = path.rstrip("/").rsplit("/", 1)[1]
    response = Client().get(f"/account/welcome/{_uidb64(other)}/{token}/")
    assert response.templates[0].name == "accounts/invitation_invalid.html"


def test_a_link_never_replaces_a_password_someone_chose(counsellor):
    # A token made for an account that has a password (which cannot happen through the app) is refused.
    token = invitation_token_generator.make_token(counsellor)
    assert invitation_token_generator.check_token(counsellor, token) is False


def test_a_deactivated_accounts_link_no_longer_works(invited, login, coordinator):
    user, path = invited
    login(coordinator).post(reverse("team:deactivate", args=[user.pk]))
    assert Client().get(path).templates[0].name == "accounts/invitation_invalid.html"


def test_a_logged_in_visitor_is_asked_to_log_out_first(invited, login, counsellor):
    user, path = invited
    response = login(counsellor).get(path)
    assert response.status_code == 200
    assert response.templates[0].name == "accounts/invitation_signed_in.html"
    user.refresh_from_db()
    assert user.has_usable_password() is False


def test_each_unusable_password_is_new_so_a_new_invitation_voids_the_last(db):
    user = UserFactory()
    hashes = set()
    for _ in range(3):
        user.set_unusable_password()
        assert not is_password_usable(user.password)
        hashes.add(user.password)
    assert len(hashes) == 3


def test_resending_sends_a_new_link_and_voids_the_old_one(invited, login, coordinator, mailoutbox):
    user, old_path = invited
    response = login(coordinator).post(reverse("team:invitation-resend", args=[user.pk]))
    assert response.status_code == 302
    assert len(mailoutbox) == 2
    new_path = link_path(mailoutbox[1])
    assert new_path != old_path
    assert Client().get(old_path).templates[0].name == "accounts/invitation_invalid.html"
    _browser, _opened, done = choose_password(new_path)
    assert done["Location"] == reverse("login")
    assert AuditEvent.objects.filter(action="invitation_sent", details__user_id=user.pk).count() == 2


def test_the_team_list_offers_a_resend_only_while_the_invitation_is_pending(invited, login, coordinator, counsellor):
    user, _path = invited
    html = login(coordinator).get(reverse("team:list")).content.decode()
    assert reverse("team:invitation-resend", args=[user.pk]) in html
    assert reverse("team:invitation-resend", args=[counsellor.pk]) not in html


def test_no_resend_for_a_counsellor_who_chose_a_password(login, coordinator, counsellor, mailoutbox):
    response = login(coordinator).post(reverse("team:invitation-resend", args=[counsellor.pk]), follow=True)
    assert "heeft al een wachtwoord gekozen" in response.content.decode()
    assert mailoutbox == []
    counsellor.refresh_from_db()
    assert counsellor.check_password(DEMO_PASSWORD)


def test_no_resend_outside_the_team_nor_by_a_counsellor(login, coordinator, counsellor_b, counsellor, mailoutbox):
    counsellor_b.set_unusable_password()
    counsellor_b.save()
    assert login(coordinator).post(reverse("team:invitation-resend", args=[counsellor_b.pk])).status_code == 404
    assert Client().post(reverse("team:invitation-resend", args=[counsellor_b.pk])).status_code == 302
    assert mailoutbox == []


def test_the_trail_records_invitation_mail_and_password(invited):
    user, path = invited
    choose_password(path)
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "actor_username", "details"))
    assert actions == [
        ("account_invited", "coordinator_a", {"user_id": user.pk, "team": "antwerpen"}),
        ("invitation_sent", "coordinator_a", {"user_id": user.pk, "reason": "invitation"}),
        ("password_set", "an.peeters", {"user_id": user.pk}),
    ]


def test_a_refused_mail_leaves_the_account_and_says_so(login, coordinator, mailoutbox):
    with mock.patch("accounts.emails.send_mail", side_effect=smtplib.SMTPServerDisconnected("down")):
        response = invite(login(coordinator))
    assert response.status_code == 200
    assert response.context["sent"] is False
    assert "kon niet verstuurd worden" in response.content.decode()
    assert User.objects.filter(username="an.peeters").exists()
    assert not AuditEvent.objects.filter(action="invitation_sent").exists()


@override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
def test_without_smtp_the_page_says_the_link_is_in_the_servers_terminal(login, coordinator, capsys):
    response = invite(login(coordinator))
    html = response.content.decode()
    assert "terminalvenster" in html and "scripts/run.sh" in html
    assert "/account/welcome/" not in html
    assert "/account/welcome/" in capsys.readouterr().out


@override_settings(SITE_URL="https://registratie.example.org/")
def test_the_link_points_at_site_url_when_set(login, coordinator, mailoutbox):
    invite(login(coordinator))
    assert "https://registratie.example.org/account/welcome/" in mailoutbox[0].body


# --- Two-factor reset: a coordinator can never log in as a counsellor --------------------------------


def test_a_two_factor_reset_voids_the_password_and_mails_a_new_link(login, coordinator, counsellor, mailoutbox):
    counsellor.email = "hv@example.org"
    counsellor.save()
    TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)
    StaticDevice.objects.create(user=counsellor, name="backup", confirmed=True)
    elsewhere = Client()
    elsewhere.force_login(counsellor)
    verify_two_factor(elsewhere, counsellor)
    assert elsewhere.get("/contacts/").status_code == 200
    assert login(coordinator).post(reverse("team:reset-two-factor", args=[counsellor.pk])).status_code == 302
    counsellor.refresh_from_db()
    assert counsellor.has_usable_password() is False
    assert not TOTPDevice.objects.filter(user=counsellor).exists()
    assert elsewhere.get("/contacts/")["Location"].startswith(reverse("login"))  # the session ended
    assert [m.to for m in mailoutbox] == [["hv@example.org"]]
    assert mailoutbox[0].subject == "1712 registratie: kies een nieuw wachtwoord"
    # The counsellor, and only they, choose the next password.
    choose_password(link_path(mailoutbox[0]))
    counsellor.refresh_from_db()
    assert counsellor.check_password(NEW_PASSWORD)


def test_the_coordinator_who_resets_cannot_then_log_in_as_the_counsellor(login, coordinator, counsellor, client):
    """The attack of issue 11: reset two-factor, log in with a known password, enrol a new device."""
    counsellor.email = "hv@example.org"
    counsellor.save()
    login(coordinator).post(reverse("team:reset-two-factor", args=[counsellor.pk]))
    client.logout()
    attacker = Client()
    for password in (DEMO_PASSWORD, "", "!", counsellor.password, NEW_PASSWORD):
        response = attacker.post(reverse("login"), {"username": counsellor.username, "password": password})
        assert response.status_code == 200, password  # the login form again, not a redirect
        assert "_auth_user_id" not in attacker.session
    # Nor through the invitation page without the mailed token.
    assert attacker.get(f"/account/welcome/{_uidb64(counsellor)}/set-password/").templates[0].name == (
        "accounts/invitation_invalid.html"
    )


def test_a_reset_without_an_email_address_says_no_link_went_out(login, coordinator, counsellor, mailoutbox):
    response = login(coordinator).post(reverse("team:reset-two-factor", args=[counsellor.pk]), follow=True)
    assert "kon niet verstuurd worden" in response.content.decode()
    counsellor.refresh_from_db()
    assert counsellor.has_usable_password() is False
    assert mailoutbox == []


def test_the_reset_service_for_other_callers_returns_whether_the_link_went_out(db, coordinator, mailoutbox):
    member = UserFactory(role=Role.COUNSELLOR, teams=["antwerpen"], email="x@example.org")
    assert services.two_factor_reset(actor=coordinator, user=member) is True
    # Without a request or SITE_URL the link points at the embedded demo's address.
    assert "http://127.0.0.1:8000/account/welcome/" in mailoutbox[0].body
    member.is_active = False
    member.save()
    assert services.two_factor_reset(actor=coordinator, user=member) is False
    assert len(mail.outbox) == 1


def test_an_invited_user_cannot_log_in_before_choosing_a_password(invited):
    browser = Client()
    for password in ("", "!", User.objects.get(username="an.peeters").password):
        assert browser.post(reverse("login"), {"username": "an.peeters", "password": password}).status_code == 200
    assert "_auth_user_id" not in browser.session


def _uidb64(user) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))
