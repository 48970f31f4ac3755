import time

from django.conf import settings
from django.urls import reverse

from accounts.middleware import LAST_SEEN, LOGIN_AT
from tests.factories import DEMO_PASSWORD


def attempt(client, username, password="wrong password 1712"):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_wrong_password_and_unknown_user_get_the_same_message(client, counsellor):
    known = attempt(client, counsellor.username)
    unknown = attempt(client, "nobody-here")
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert len(known.context["form"].non_field_errors()) == 1


def test_login_locks_after_the_failure_limit_even_with_the_right_password(client, counsellor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, counsellor.username).status_code == 200
    assert attempt(client, counsellor.username).status_code == 429
    locked = attempt(client, counsellor.username, DEMO_PASSWORD)
    assert locked.status_code == 429
    assert "Te veel mislukte aanmeldpogingen" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_username_locks_exactly_like_a_known_one(client, db):
    responses = [attempt(client, "nobody-here").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert responses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


def test_lockout_is_per_username_and_address(client, counsellor, counsellor_b):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, counsellor.username)
    assert attempt(client, counsellor_b.username, DEMO_PASSWORD).status_code == 302


def test_login_rotates_the_session_key(client, counsellor):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    attempt(client, counsellor.username, DEMO_PASSWORD)
    assert client.session.session_key != before


def _age_session(client, *, idle_seconds=0, since_login_seconds=0):
    session = client.session
    now = time.time()
    session[LAST_SEEN] = now - idle_seconds
    session[LOGIN_AT] = now - since_login_seconds
    session.save()


def test_session_ends_after_thirty_idle_minutes(login, counsellor):
    client = login(counsellor)
    _age_session(client, idle_seconds=29 * 60)
    assert client.get("/contacts/").status_code == 200
    _age_session(client, idle_seconds=31 * 60)
    response = client.get("/contacts/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/contacts/"
    assert "_auth_user_id" not in client.session


def test_session_ends_twelve_hours_after_login_however_active(login, counsellor):
    client = login(counsellor)
    _age_session(client, since_login_seconds=11 * 3600 + 59 * 60)
    assert client.get("/contacts/").status_code == 200
    _age_session(client, since_login_seconds=12 * 3600 + 60)
    assert client.get("/contacts/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_session_limits_are_configurable(login, counsellor, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client = login(counsellor)
    _age_session(client, idle_seconds=6 * 60)
    assert client.get("/contacts/").status_code == 302


def test_expired_api_session_answers_403(login, counsellor):
    client = login(counsellor)
    _age_session(client, idle_seconds=31 * 60)
    assert client.get("/api/contacts/").status_code == 403


def test_session_cookie_is_httponly_and_samesite(client, counsellor):
    response = attempt(client, counsellor.username, DEMO_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
