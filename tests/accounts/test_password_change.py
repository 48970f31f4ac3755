"""Every user changes their own password, giving the old one (issue 11)."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from tests.conftest import verify_two_factor
from tests.factories import DEMO_PASSWORD

NEW_PASSWORD = "wolken-boven-het-zoute-1712"
URL = "/account/password/"


def change(client, old=DEMO_PASSWORD, new=NEW_PASSWORD, repeat=None):
    return client.post(URL, {"old_password": old, "new_password1": new, "new_password2": repeat or new})


def test_the_page_is_where_the_user_menu_says(login, counsellor):
    assert reverse("accounts:password-change") == URL
    html = login(counsellor).get(reverse("registration:contact-list")).content.decode()
    assert f'href="{URL}"' in html


@pytest.mark.parametrize("role", ["counsellor", "coordinator", "flemish_coordinator", "administrator"])
def test_every_role_changes_its_own_password_and_stays_logged_in(role, request, login):
    user = request.getfixturevalue(role)
    client = login(user)
    response = change(client)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(DEMO_PASSWORD)
    # Still logged in and past two-factor in this session.
    assert client.get(URL).status_code == 200
    assert AuditEvent.objects.filter(action="password_changed", actor=user, details={"user_id": user.pk}).count() == 1


def test_the_old_password_is_required(login, counsellor):
    client = login(counsellor)
    response = change(client, old="not the password 1712")
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    counsellor.refresh_from_db()
    assert counsellor.check_password(DEMO_PASSWORD)
    assert not AuditEvent.objects.filter(action="password_changed").exists()


@pytest.mark.parametrize(
    ("new", "repeat"),
    [("kort1", None), ("12345678901234", None), ("password1234", None), (NEW_PASSWORD, NEW_PASSWORD + "x")],
)
def test_weak_or_mismatched_passwords_are_refused_next_to_the_field(login, counsellor, new, repeat):
    response = change(login(counsellor), new=new, repeat=repeat)
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert 'aria-describedby="id_new_password2_helptext id_new_password2_error"' in response.content.decode() or (
        'id="id_new_password2_error"' in response.content.decode()
    )
    counsellor.refresh_from_db()
    assert counsellor.check_password(DEMO_PASSWORD)


def test_a_nul_byte_is_refused_not_a_500(login, counsellor):
    # Refused before any view by helpline.bad_bytes, with a clear page.
    response = change(login(counsellor), new="abc\x00defghijklmnop")
    assert response.status_code == 400
    counsellor.refresh_from_db()
    assert counsellor.check_password(DEMO_PASSWORD)


def test_other_sessions_of_the_user_end(login, counsellor):
    elsewhere = Client()
    elsewhere.force_login(counsellor)
    verify_two_factor(elsewhere, counsellor)
    assert elsewhere.get("/contacts/").status_code == 200
    change(login(counsellor))
    assert elsewhere.get("/contacts/")["Location"].startswith(reverse("login"))


def test_the_new_password_logs_in_and_the_old_does_not(login, counsellor, client):
    change(login(counsellor))
    client.logout()
    browser = Client()
    login_url = reverse("login")
    assert browser.post(login_url, {"username": counsellor.username, "password": DEMO_PASSWORD}).status_code == 200
    assert browser.post(login_url, {"username": counsellor.username, "password": NEW_PASSWORD}).status_code == 302


def test_a_double_submit_changes_once_and_the_second_is_refused(login, counsellor):
    client = login(counsellor)
    assert change(client).status_code == 302
    second = change(client)  # the old password is no longer DEMO_PASSWORD
    assert second.status_code == 200
    assert AuditEvent.objects.filter(action="password_changed").count() == 1


def test_anonymous_and_unverified_visitors_cannot_change_a_password(client, login_unverified, counsellor):
    assert Client().post(URL, {"old_password": DEMO_PASSWORD})["Location"].startswith(reverse("login"))
    response = change(login_unverified(counsellor))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two-factor"))
    counsellor.refresh_from_db()
    assert counsellor.check_password(DEMO_PASSWORD)
