"""New backup codes only with a fresh code from the authenticator app (issue 11).

Whoever finds a colleague's unlocked session must not walk away with codes that log in as them.
"""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from audit.models import AuditEvent

from .test_two_factor import code_for, password_login, wrong_code_for

URL = "/account/two-factor/backup-codes/"


@pytest.fixture
def session(login, counsellor):
    """(client, TOTP device, the current backup codes) for a verified counsellor."""
    client = login(counsellor)
    device = TOTPDevice.objects.get(user=counsellor, confirmed=True)
    return client, device, services.backup_codes_generate(counsellor)


def tokens(user) -> set[str]:
    return set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def test_the_url_and_a_get_shows_the_form_and_makes_nothing(session, counsellor):
    client, _device, old = session
    assert reverse("accounts:backup-codes") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="token"' in response.content.decode()
    assert "codes" not in response.context
    assert tokens(counsellor) == set(old)


@pytest.mark.parametrize("kind", ["empty", "wrong", "backup_code", "nul", "letters", "huge"])
def test_without_a_valid_app_code_no_new_codes_are_made_and_the_old_ones_still_work(session, counsellor, kind):
    client, device, old = session
    token = {
        "empty": "",
        "wrong": wrong_code_for(device),
        "backup_code": old[0],
        "nul": "12\x003456",
        "letters": "abcdef",
        "huge": "1" * 100_000,
    }[kind]
    response = client.post(URL, {"token": token})
    if kind == "nul":
        assert response.status_code == 400  # refused before any view by helpline.bad_bytes
    else:
        assert response.status_code == 200
        assert response.context["form"].errors["token"]
        assert "codes" not in response.context
    assert tokens(counsellor) == set(old)
    assert not AuditEvent.objects.filter(action="backup_codes_regenerated").exists()
    # The old codes still log in.
    for code in old[:2]:
        assert services.two_factor_device_match(counsellor, code) is not None


def test_a_current_app_code_replaces_the_codes_and_shows_them_once(session, counsellor):
    client, device, old = session
    response = client.post(URL, {"token": code_for(device)})
    assert response.status_code == 200
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert tokens(counsellor) == set(new)
    assert services.two_factor_device_match(counsellor, new[0]) is not None
    assert AuditEvent.objects.filter(action="backup_codes_regenerated", actor=counsellor).count() == 1


def test_a_code_is_good_once_a_double_submit_makes_codes_once_and_says_why(session, counsellor):
    client, device, _old = session
    code = code_for(device)
    first = client.post(URL, {"token": code})
    second = client.post(URL, {"token": code})
    assert tokens(counsellor) == set(first.context["codes"])
    assert second.context["form"].errors == {
        "token": ["Deze code is al gebruikt. Wacht tot je app een nieuwe code toont en typ die."]
    }


def test_the_code_that_just_logged_in_does_not_make_codes(client, counsellor):
    device = TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)
    old = services.backup_codes_generate(counsellor)
    password_login(client, counsellor)
    code = code_for(device)
    assert client.post(reverse("accounts:otp-verify"), {"token": code}).status_code == 302
    response = client.post(URL, {"token": code})
    assert "codes" not in response.context
    assert tokens(counsellor) == set(old)


def test_wrong_codes_count_against_the_apps_throttle(session, counsellor, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    client, device, old = session
    client.post(URL, {"token": wrong_code_for(device)})
    response = client.post(URL, {"token": code_for(device)})
    assert "codes" not in response.context
    assert "Wacht nog" in response.context["form"].errors["token"][0]
    assert tokens(counsellor) == set(old)


def test_an_unverified_session_cannot_regenerate(login_unverified, counsellor):
    device = TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)
    old = services.backup_codes_generate(counsellor)
    response = login_unverified(counsellor).post(URL, {"token": code_for(device)})
    assert response.status_code == 302
    assert tokens(counsellor) == set(old)
