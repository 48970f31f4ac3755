"""Production settings pass `manage.py check --deploy`; security headers are on every page."""

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from tests.factories import DEMO_PASSWORD, ContactFactory

ROOT = Path(__file__).resolve().parent.parent
ALPHABET = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
# What helpline/settings.py must give in production (DEBUG off, no HTTPS override).
PRODUCTION_SECURITY = {
    "DEBUG": False,
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "CSRF_COOKIE_HTTPONLY": True,
    "X_FRAME_OPTIONS": "DENY",
}


def production(*command: str) -> subprocess.CompletedProcess:
    """Run a Python command in a fresh process configured as production: helpline.settings, DEBUG off."""
    # The suite runs on helpline.settings_test, and the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE
    # in this process; production has neither, nor a development override of HTTPS.
    inherited = {"DEBUG", "HTTPS", "SECURE_PROXY_SSL_HEADER", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    env = {
        **{k: v for k, v in os.environ.items() if k not in inherited},
        "DJANGO_SETTINGS_MODULE": "helpline.settings",
        "DEBUG": "False",
        "SECRET_KEY": "".join(secrets.choice(ALPHABET) for _ in range(50)),
        "ALLOWED_HOSTS": "example.org",
    }
    return subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings():
    result = production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_turn_on_https_only_behaviour():
    names = sorted(PRODUCTION_SECURITY)
    result = production(
        "-c", f"import json, helpline.settings as s; print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == PRODUCTION_SECURITY


def test_pages_carry_security_headers_and_a_strict_csp(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_production_https_settings_send_hsts_secure_cookies_and_redirect_http(client, counsellor, settings):
    # The test settings speak plain http; put back what the test above proves production has.
    for name, value in PRODUCTION_SECURITY.items():
        setattr(settings, name, value)

    assert client.get(reverse("login")).status_code == 301
    response = client.post(reverse("login"), {"username": counsellor.username, "password": DEMO_PASSWORD}, secure=True)
    assert response.status_code == 302
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response.cookies[settings.SESSION_COOKIE_NAME]["secure"] is True


def test_pages_with_case_data_are_never_cached(login, counsellor):
    contact = ContactFactory(created_by=counsellor)
    client = login(counsellor)
    for url in ("/contacts/", f"/contacts/{contact.uuid}/", "/api/contacts/", f"/api/contacts/{contact.uuid}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
