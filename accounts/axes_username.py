"""The username django-axes records and locks on (settings.AXES_USERNAME_CALLABLE, issue 11).

What is typed in the username field is not always a username: a counsellor in a hurry may type a
caller's name there. django-axes stores the typed value in its attempt and failure tables; here a
value that names no account is replaced by one fixed placeholder. Lockout stays as configured
(username and address together): a real account is locked per address as before, and all
unknown names tried from one address count together, so guessing names locks that address.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model

UNKNOWN_USERNAME = "(unknown)"


def axes_username(request, credentials: dict | None) -> str | None:
    """Return the typed username when it names an account, else UNKNOWN_USERNAME (None: none typed)."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    if credentials:
        typed = credentials.get(field)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        typed = data.get(field) if hasattr(data, "get") else None
    if typed is None:
        return None
    if not isinstance(typed, str) or not typed:
        return UNKNOWN_USERNAME
    user_model = get_user_model()
    exists = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: typed}).exists()
    return typed if exists else UNKNOWN_USERNAME
