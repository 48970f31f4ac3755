"""Production refuses the public development key; the lockout counts the real client behind a proxy;
the language cookie is Secure in production."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from helpline.client_address import client_address
from tests.factories import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-1712"
PROXY = "10.0.0.2"
VICTIM = "198.51.100.7"
ATTACKER = "203.0.113.9"


def run_python(code: str, **environment: str) -> subprocess.CompletedProcess:
    """Run code in a fresh process with exactly these variables (besides PATH and the database)."""
    # The suite's own SECRET_KEY (helpline/settings_test.py) and DEBUG must not leak in.
    inherited = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "DATABASE_URL", "REDIS_URL")}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**inherited, **environment}, capture_output=True, text=True,
        timeout=60,
    )


def load_settings(**environment: str) -> subprocess.CompletedProcess:
    code = "import json, helpline.settings as s; print(json.dumps([s.SECRET_KEY, s.LANGUAGE_COOKIE_SECURE]))"
    return run_python(code, **environment)


START_WEB_SERVER = "import helpline.wsgi; print('serving')"
START_WORKER = (
    "import django; django.setup(); from celery.signals import worker_init; from helpline.celery import app; "
    "worker_init.send(sender=None); print('serving')"
)


@pytest.mark.parametrize("start", [START_WEB_SERVER, START_WORKER], ids=["web", "worker"])
@pytest.mark.parametrize("secret_key", [None, "", DEV_SECRET_KEY])
def test_production_refuses_to_serve_without_a_secret_key_of_its_own(secret_key, start):
    environment = {"DEBUG": "False"} if secret_key is None else {"DEBUG": "False", "SECRET_KEY": secret_key}
    result = run_python(start, **environment)
    assert result.returncode == 1
    assert "serving" not in result.stdout
    assert "ImproperlyConfigured: SECRET_KEY is not set. Production needs a secret key of its own" in result.stderr


@pytest.mark.parametrize("start", [START_WEB_SERVER, START_WORKER], ids=["web", "worker"])
def test_production_serves_with_a_secret_key_of_its_own(start):
    result = run_python(start, DEBUG="False", SECRET_KEY="a-production-key-of-its-own-" + "x" * 30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("serving")


def test_a_management_command_runs_with_no_environment_at_all(tmp_path):
    # domain.md: commands run "with no environment variable at all"; they sign nothing.
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check'])",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr


def test_the_development_key_works_with_debug_as_in_the_demo():
    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [DEV_SECRET_KEY, False]


def test_production_sends_the_language_cookie_over_https_only():
    result = load_settings(DEBUG="False", SECRET_KEY="a-production-key-of-its-own-" + "x" * 30)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[1] is True


def test_the_language_cookie_carries_the_secure_flag(client, db, settings):
    settings.LANGUAGE_COOKIE_SECURE = True  # as production has it (test above)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert (cookie.value, cookie["secure"], cookie["samesite"]) == ("en", True, "Lax")


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_by_default_x_forwarded_for_is_not_trusted(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert client_address(request_from(PROXY, f"{VICTIM}, {ATTACKER}")) == PROXY


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, ATTACKER, ATTACKER),
        # A client that forges the header only adds addresses to its left.
        (1, f"{VICTIM}, {ATTACKER}", ATTACKER),
        (2, f"{VICTIM}, {ATTACKER}, 10.0.0.1", ATTACKER),
        # Shorter than the proxies would make it, absent or not an address: not through the proxies.
        (2, ATTACKER, PROXY),
        (1, None, PROXY),
        (1, "not-an-address", PROXY),
    ],
)
def test_behind_trusted_proxies_the_outermost_proxys_view_counts(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_address(request_from(PROXY, forwarded)) == expected


def failed_login(client, username, forwarded):
    data = {"username": username, "password": "wrong password 1712"}
    return client.post(reverse("login"), data, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_the_proxy_an_attacker_cannot_lock_a_colleague_out(client, counsellor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # Even naming the victim's address in a forged header.
        failed_login(client, counsellor.username, f"{VICTIM}, {ATTACKER}")
    assert failed_login(client, counsellor.username, ATTACKER).status_code == 429
    response = client.post(
        reverse("login"),
        {"username": counsellor.username, "password": DEMO_PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=VICTIM,
    )
    assert response.status_code == 302


def test_without_a_trusted_proxy_a_forged_header_does_not_escape_the_lockout(client, counsellor, settings):
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [failed_login(client, counsellor.username, f"192.0.2.{n}").status_code for n in range(limit)]
    assert statuses == [200] * (limit - 1) + [429]
