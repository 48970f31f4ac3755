"""Production settings pass `manage.py check --deploy`; security headers are on every page."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from tests.factories import ContactFactory

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_settings():
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    env = {
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; production does not.
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "DEBUG": "False",
        "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
        "ALLOWED_HOSTS": "example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


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


def test_https_settings_send_hsts_and_secure_cookies(client, counsellor, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    from tests.factories import DEMO_PASSWORD

    response = client.post(reverse("login"), {"username": counsellor.username, "password": DEMO_PASSWORD}, secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.cookies[settings.SESSION_COOKIE_NAME]["secure"] is True


def test_pages_with_case_data_are_never_cached(login, counsellor):
    contact = ContactFactory(created_by=counsellor)
    client = login(counsellor)
    for url in ("/contacts/", f"/contacts/{contact.uuid}/", "/api/contacts/", f"/api/contacts/{contact.uuid}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
