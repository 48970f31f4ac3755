"""Refusals at the start of a server process: what may not serve requests, even if a command may run."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PUBLIC_KEY_MESSAGE = (
    "SECRET_KEY is not set. Production needs a secret key of its own, e.g. "
    "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))'); "
    "the development key works only with DEBUG=true (as scripts/run.sh sets)."
)


def refuse_public_secret_key() -> None:
    """Raise ImproperlyConfigured when a production process would sign with the public development key."""
    if not settings.DEBUG and settings.SECRET_KEY in ("", settings.DEV_SECRET_KEY):
        raise ImproperlyConfigured(PUBLIC_KEY_MESSAGE)
