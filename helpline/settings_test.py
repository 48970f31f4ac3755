"""Settings for the test suite: the production settings, with two differences tests need.

pyproject.toml's [tool.pytest.ini_options] points pytest-django here. tests/test_deploy_check.py
checks the real production settings (helpline.settings) in a subprocess, never these.
"""

import os

# Without DEBUG, helpline.settings refuses to start without a SECRET_KEY of its own; a test key
# signs nothing that matters. Set before the import, which is where the refusal happens.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-for-the-test-suite-1712")

from helpline.settings import *  # noqa: E402, F403

# The test client and the browser tests' live server speak plain http.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False

# PBKDF2 costs a good fraction of a second per hash, and every factory user gets one: with it
# the suite spent most of its time hashing. A test password protects nothing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# pytest-xdist (scripts/test.sh runs the suite on every core): each worker gets a test database
# of its own from pytest-django (test_<name>_gw0, …) and here a Redis database of its own, so one
# worker's cache, rate limits and broker never see another's.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _WORKER.startswith("gw"):  # noqa: F405
    from urllib.parse import urlsplit

    _parts = urlsplit(REDIS_URL)  # noqa: F405
    _db = (int(_parts.path.lstrip("/") or 0) + 1 + int(_WORKER[2:])) % 16
    REDIS_URL = _parts._replace(path=f"/{_db}").geturl()
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
