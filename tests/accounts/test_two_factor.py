import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import DEMO_PASSWORD


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 1000000:06d}"


def password_login(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return response


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get("/contacts/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/contacts/"


def test_anonymous_api_call_is_refused_without_redirect(client, db):
    response = client.get("/api/contacts/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Aanmelden is vereist."}


def test_first_login_goes_to_enrolment_and_nowhere_else(client, counsellor):
    password_login(client, counsellor)
    assert client.get("/contacts/")["Location"] == reverse("accounts:two-factor") + "?next=%2Fcontacts%2F"
    assert client.get(reverse("accounts:two-factor"))["Location"] == reverse("accounts:otp-setup")
    assert client.get("/admin/")["Location"] == reverse("accounts:two-factor") + "?next=%2Fadmin%2F"
    assert client.get("/api/contacts/").status_code == 403
    assert client.get(reverse("accounts:otp-verify"))["Location"] == reverse("accounts:otp-setup")


def test_enrolment_shows_qr_code_and_secret_then_backup_codes_once(client, counsellor):
    password_login(client, counsellor)
    page = client.get(reverse("accounts:otp-setup"))
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=counsellor)
    assert device.confirmed is False
    assert "<svg" in html
    secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7]+)</code>', html).group(1)
    assert len(secret) == 32  # 20 random bytes in base32

    response = client.post(reverse("accounts:otp-setup"), {"token": code_for(device)})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert code in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is True
    assert sorted(StaticToken.objects.filter(device__user=counsellor).values_list("token", flat=True)) == sorted(codes)
    # Verified now: the app opens, and the enrolment page no longer does.
    assert client.get("/contacts/").status_code == 200
    assert client.get(reverse("accounts:otp-setup"))["Location"] == reverse("accounts:otp-verify")


def test_enrolment_refuses_a_wrong_code_and_keeps_the_same_secret(client, counsellor):
    password_login(client, counsellor)
    client.get(reverse("accounts:otp-setup"))
    device = TOTPDevice.objects.get(user=counsellor)
    response = client.post(reverse("accounts:otp-setup"), {"token": wrong_code_for(device)})
    assert response.status_code == 200
    assert "Deze code klopt niet" in response.content.decode()
    assert TOTPDevice.objects.filter(user=counsellor).count() == 1
    assert response.context["secret"] in response.content.decode()
    assert client.get("/contacts/").status_code == 302


@pytest.fixture
def enrolled(counsellor):
    device = TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)
    from accounts.services import backup_codes_generate

    return device, backup_codes_generate(counsellor)


def test_second_login_asks_a_code_and_accepts_the_app_code(client, counsellor, enrolled):
    device, _ = enrolled
    password_login(client, counsellor)
    assert client.get(reverse("accounts:two-factor"))["Location"] == reverse("accounts:otp-verify")
    response = client.post(reverse("accounts:otp-verify"), {"token": code_for(device)})
    assert response.status_code == 302
    assert client.get("/contacts/").status_code == 200


def test_a_backup_code_works_exactly_once(client, counsellor, enrolled):
    _, codes = enrolled
    password_login(client, counsellor)
    assert client.post(reverse("accounts:otp-verify"), {"token": codes[0]}).status_code == 302
    assert client.get("/contacts/").status_code == 200
    assert StaticToken.objects.filter(device__user=counsellor).count() == 9

    client.post(reverse("logout"))
    password_login(client, counsellor)
    response = client.post(reverse("accounts:otp-verify"), {"token": codes[0]})
    assert response.status_code == 200
    assert client.get("/contacts/").status_code == 302


def test_a_wrong_code_is_refused_as_wrong_when_no_throttle_applies(client, counsellor, enrolled, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device, _ = enrolled
    password_login(client, counsellor)
    response = client.post(reverse("accounts:otp-verify"), {"token": wrong_code_for(device)})
    assert response.context["form"].errors == {"token": ["Deze code klopt niet."]}


def test_failed_codes_are_throttled_even_a_right_one_right_after(client, counsellor, enrolled, settings):
    # A minute per failure, so that a slow machine cannot outlast the lock between two requests.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device, _ = enrolled
    password_login(client, counsellor)
    verify = reverse("accounts:otp-verify")
    # One wrong code is a wrong code, not "too many" (issue 10); the right one during the pause is refused.
    wrong = {"token": ["Deze code klopt niet."]}
    assert client.post(verify, {"token": wrong_code_for(device)}).context["form"].errors == wrong
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    paused = {"token": ["Wacht nog 60 seconden en typ de code dan opnieuw: na een foute code kan dat niet meteen."]}
    assert client.post(verify, {"token": code_for(device)}).context["form"].errors == paused
    assert client.get("/contacts/").status_code == 302


def test_after_the_code_the_user_lands_on_the_page_asked_for(client, counsellor, enrolled):
    device, _ = enrolled
    password_login(client, counsellor)
    first = client.get("/contacts/drafts/")
    assert first["Location"] == "/account/two-factor/?next=%2Fcontacts%2Fdrafts%2F"
    verify = client.get(first["Location"])["Location"]
    assert verify == "/account/two-factor/verify/?next=%2Fcontacts%2Fdrafts%2F"
    response = client.post(verify, {"token": code_for(device)})
    assert response["Location"] == "/contacts/drafts/"


def test_an_outside_next_is_ignored(client, counsellor, enrolled):
    device, _ = enrolled
    password_login(client, counsellor)
    response = client.post("/account/two-factor/verify/?next=https://evil.example/", {"token": code_for(device)})
    assert response["Location"] == "/"


def test_login_fixture_passes_the_two_factor_step(login, counsellor):
    client = login(counsellor)
    assert client.get("/contacts/").status_code == 200


def test_an_unverified_administrator_is_sent_to_two_factor_not_into_the_admin(login_unverified, administrator):
    response = login_unverified(administrator).get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two-factor") + "?next=%2Fadmin%2F"


def test_the_admin_site_itself_refuses_a_staff_user_without_verified_two_factor(
    settings, login_unverified, login, administrator
):
    # Even without the access middleware in front, the admin site asks for the second factor.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "accounts.middleware.AccessMiddleware"]
    response = login_unverified(administrator).get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    assert login(administrator).get("/admin/").status_code == 200
