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
