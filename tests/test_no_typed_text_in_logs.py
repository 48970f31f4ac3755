"""No typed text in any log, on any error (issue 11, point 6).

Each error path is provoked with a unique marker; then the app's log records (caplog, every
logger) and PostgreSQL's server log are searched for it: 0 hits. Bad input (NUL, lone
surrogates) is refused with 400 before it reaches a form, a query or the database.
"""

from __future__ import annotations

import glob
import json
import logging
import os
import threading
import uuid

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.db import IntegrityError, connection, transaction
from django.test import Client

from accounts.axes_username import UNKNOWN_USERNAME
from registration.models import Contact, Draft
from tests.factories import DEMO_PASSWORD, UserFactory

PG_LOGS = "/var/log/postgresql/*.log"


def marker() -> str:
    return f"Merkteken{uuid.uuid4().hex[:12]}"


@pytest.fixture
def logs(caplog):
    """Every record any logger writes during the test, as text (message and traceback)."""
    caplog.set_level(logging.DEBUG)

    def text() -> str:
        return "\n".join(
            f"{r.getMessage()} {caplog.handler.formatter.formatException(r.exc_info) if r.exc_info else ''}"
            for r in caplog.records
        )

    return text


def pg_log_text() -> str | None:
    """PostgreSQL's server log on this machine (None: not readable here; on CI it must be)."""
    files = [f for f in glob.glob(PG_LOGS) if os.access(f, os.R_OK)]
    if os.environ.get("CI"):
        assert files, f"CI must be able to read PostgreSQL's server log ({PG_LOGS})"
    if not files:
        return None
    return "\n".join(open(f, encoding="utf-8", errors="replace").read() for f in files)


def assert_nowhere(mark: str, logs) -> None:
    assert mark not in logs()
    if connection.vendor == "postgresql":
        server_log = pg_log_text()
        if server_log is None:
            pytest.skip(f"PostgreSQL's server log ({PG_LOGS}) is not readable here")
        assert mark not in server_log


def autosave(client, token, summary_json: str):
    body = '{"data": {"summary": [' + summary_json + "]}}"
    return client.post(
        f"/contacts/drafts/{token}/autosave/", body, content_type="application/json", HTTP_X_REQUESTED_WITH="fetch"
    )


# ---------------------------------------------------------------------------- bad bytes: 400, nothing stored


def test_a_nul_in_an_autosaved_summary_is_refused_with_a_json_message(counsellor, login, logs):
    mark = marker()
    token = uuid.uuid4()
    response = autosave(login(counsellor), token, json.dumps(mark + "\x00"))
    assert response.status_code == 400
    assert response.json()["reason"] == "invalid_characters"
    assert "tekens" in response.json()["detail"]
    assert not Draft.objects.filter(token=token).exists()
    assert_nowhere(mark, logs)


def test_a_lone_surrogate_in_an_autosaved_summary_is_refused(counsellor, login, logs):
    mark = marker()
    token = uuid.uuid4()
    response = autosave(login(counsellor), token, '"' + mark + '\\ud800"')
    assert response.status_code == 400
    assert response.json()["reason"] == "invalid_characters"
    assert not Draft.objects.filter(token=token).exists()
    assert_nowhere(mark, logs)


@pytest.mark.parametrize("bad", ["%00", "%ED%A0%80", "%FF"], ids=["nul", "lone-surrogate", "not-utf8"])
def test_bad_bytes_in_a_form_are_refused_with_a_clear_page(counsellor, login, logs, bad):
    mark = marker()
    body = f"channel=phone&summary={mark}{bad}"
    response = login(counsellor).post("/contacts/new/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="bad-input"' in page and "tekens die niet bewaard kunnen worden" in page
    assert mark not in page
    assert Contact.objects.count() == 0
    assert_nowhere(mark, logs)


def test_a_nul_in_a_login_is_refused_before_authentication(db, client, logs):
    mark = marker()
    body = f"username={mark}%00&password=x"
    response = client.post("/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert AccessAttempt.objects.count() == AccessFailureLog.objects.count() == 0
    assert_nowhere(mark, logs)


@pytest.mark.parametrize(
    "path",
    [
        "/reports/?team=%00",
        "/api/reports/2024/?team=%00",
        "/reports/?team=%ED%A0%80",
        "/api/contacts/?page=%00",
        "/contacts/?channel=%00",
    ],
)
def test_bad_bytes_in_query_parameters_answer_400(flemish_coordinator, counsellor, login, logs, path):
    user = counsellor if "contacts" in path else flemish_coordinator
    response = login(user).get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["reason"] == "invalid_characters"


@pytest.mark.parametrize("path", ["/api/reports/9999/", "/reports/?year=9999", "/api/reports/0/", "/reports/?year=x"])
def test_impossible_years_are_not_a_server_error(flemish_coordinator, login, path):
    assert login(flemish_coordinator).get(path).status_code in (200, 400, 404)


# ---------------------------------------------------------------------------- failed logins


def _fail_login(client, username: str):
    return client.post("/login/", {"username": username, "password": "wrong-" + DEMO_PASSWORD})


def test_a_failed_login_under_an_unknown_name_stores_no_name(db, logs):
    mark = marker()
    _fail_login(Client(), mark)
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [UNKNOWN_USERNAME]
    assert set(AccessFailureLog.objects.values_list("username", flat=True)) <= {UNKNOWN_USERNAME}
    assert_nowhere(mark, logs)


def test_a_failed_login_of_a_real_account_is_stored_and_still_locks_it(db, settings):
    UserFactory(username="an.peeters")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _fail_login(client, "an.peeters")
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["an.peeters"]
    # Locked: even the right password is refused now.
    response = client.post("/login/", {"username": "an.peeters", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_guessing_unknown_names_locks_the_address(db, settings):
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _fail_login(client, f"{marker()}-{i}")
    assert AccessAttempt.objects.get().failures_since_start == settings.AXES_FAILURE_LIMIT
    assert _fail_login(client, marker()).status_code == 429
    # Another address is not locked out by it.
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert _fail_login(other, marker()).status_code == 200


# ---------------------------------------------------------------------------- the database's own log


@pytest.mark.postgres
def test_a_database_error_logs_no_typed_value(counsellor, logs):
    """With server-side binding, the statement PostgreSQL logs with an error holds $1, $2 … only."""
    mark = marker()
    token = uuid.uuid4()
    Draft.objects.create(token=token, owner=counsellor, data={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Draft.objects.create(token=token, owner=counsellor, data={"summary": [mark]})
    assert_nowhere(mark, logs)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_autosaves_of_a_new_draft_at_once_make_one_draft_without_an_error(logs):
    from tests.conftest import verify_two_factor

    user = UserFactory(username="counsellor_race", teams=["antwerpen"])
    mark = marker()
    logged_before = len(pg_log_text() or "")
    for attempt in range(5):  # the race is only likely, not certain: try a few fresh drafts
        token = uuid.uuid4()
        clients = []
        for _ in range(2):
            client = Client()
            client.force_login(user)
            verify_two_factor(client, user)
            clients.append(client)
        barrier = threading.Barrier(2)
        statuses = []

        def save(client, n, token=token, barrier=barrier, statuses=statuses):
            barrier.wait()
            try:
                statuses.append(autosave(client, token, json.dumps(f"{mark} {n}")).status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=(c, n)) for n, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses == [200, 200], (attempt, statuses)
        draft = Draft.objects.get(token=token)
        assert draft.data["summary"][0] in (f"{mark} 0", f"{mark} 1")
    assert_nowhere(mark, logs)
    # Not even the error itself: this database logged no duplicate draft since the test began.
    database = f"@{connection.settings_dict['NAME']} "
    since = (pg_log_text() or "")[logged_before:].splitlines()
    assert [line for line in since if database in line and "registration_draft" in line] == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_saves_of_one_new_draft_at_once_raise_nothing_and_log_nothing(logs):
    """The service itself, eight threads at a time (closer together than whole requests)."""
    from registration.services import draft_save

    user = UserFactory(username="counsellor_race", teams=["antwerpen"])
    mark = marker()
    logged_before = len(pg_log_text() or "")
    errors = []
    for _ in range(10):
        token = uuid.uuid4()
        barrier = threading.Barrier(8)

        def save(n, token=token, barrier=barrier):
            barrier.wait()
            try:
                draft_save(user=user, token=token, data={"summary": [f"{mark} {n}"]})
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(type(exc).__name__)
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert Draft.objects.filter(token=token).count() == 1
    assert errors == []
    assert_nowhere(mark, logs)
    database = f"@{connection.settings_dict['NAME']} "
    since = (pg_log_text() or "")[logged_before:].splitlines()
    assert [line for line in since if database in line and "ERROR" in line] == []
