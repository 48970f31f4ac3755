"""Issue 10, point 11: the two-factor step says what happened, and a request running in parallel
with it cannot undo a verified login."""

import time

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import LAST_SEEN

from .test_two_factor import code_for, password_login

VERIFY = reverse("accounts:otp-verify")


@pytest.fixture
def device(counsellor):
    return TOTPDevice.objects.create(user=counsellor, name="app", confirmed=True)


def wrong_code_for(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 1000000:06d}"


def refusal(response) -> str:
    return " ".join(str(e) for e in response.context["form"].errors["token"])


def test_one_wrong_code_says_the_code_is_wrong_not_too_many(client, counsellor, device):
    password_login(client, counsellor)
    response = client.post(VERIFY, {"token": wrong_code_for(device)})
    assert response.status_code == 200
    assert refusal(response) == "Deze code klopt niet."


def test_a_code_sent_during_the_pause_after_a_wrong_one_says_to_wait(client, counsellor, device):
    password_login(client, counsellor)
    client.post(VERIFY, {"token": wrong_code_for(device)})
    response = client.post(VERIFY, {"token": code_for(device)})
    assert refusal(response) == "Wacht nog 1 seconde en typ de code dan opnieuw: na een foute code kan dat niet meteen."
    assert client.get("/contacts/").status_code == 302


def test_too_many_wrong_codes_is_said_only_after_several(client, counsellor, device):
    password_login(client, counsellor)
    for _ in range(3):
        device.refresh_from_db()
        device.throttling_failure_timestamp = None  # each wrong code typed after its pause
        device.save()
        response = client.post(VERIFY, {"token": wrong_code_for(device)})
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    assert refusal(response) == (
        "Deze code klopt niet. Te veel foute codes na elkaar: wacht 4 seconden en probeer opnieuw."
    )


def test_a_parallel_request_during_the_code_step_does_not_undo_the_verified_login(client, counsellor, device):
    password_login(client, counsellor)
    # A request of the same browser (an autosave, a second tab) started before the code was
    # accepted: it loaded the session as it was then, unverified ...
    parallel = SessionStore(client.cookies["sessionid"].value)
    assert "otp_device_id" not in parallel  # read now, as the request did
    assert client.post(VERIFY, {"token": code_for(device)}).status_code == 302
    # ... and writes it back when it ends (the access middleware refreshes its idle clock).
    parallel[LAST_SEEN] = time.time()
    try:
        parallel.save()
    except UpdateError:
        pass  # Django answers such a request "session interrupted"; the login stands
    assert client.get("/contacts/").status_code == 200
