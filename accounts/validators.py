"""Usernames: a small, safe alphabet, so no two accounts look alike (issue 11).

A coordinator could otherwise create "hv.antwerpen" with a Cyrillic "а", a zero-width space or
fullwidth letters: an account that reads like a colleague's in the team list and the audit trail.
The admin (accounts/admin.py) and the invitation form use the same two checks.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 150
USERNAME_ALPHABET = re.compile(r"[a-z0-9._-]+")

ALPHABET_MESSAGE = _(
    "Gebruik alleen kleine letters a tot z, cijfers, een punt, een liggend streepje (_) of een koppelteken (-)."
)
LOOKALIKE_MESSAGE = _(
    "Deze gebruikersnaam bevat een teken dat op een gewone letter lijkt maar het niet is, of een onzichtbaar "
    "teken (bijvoorbeeld een Cyrillische letter, een letter in brede schrijfwijze of een spatie zonder breedte)."
)
LENGTH_MESSAGE = _("Een gebruikersnaam telt %(min)s tot %(max)s tekens.")
TAKEN_MESSAGE = _("Deze gebruikersnaam is al in gebruik.")


def username_key(value: str) -> str:
    """Return what a username is compared on: NFKC, case-folded, without invisible format characters."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def username_validator(value) -> None:
    """Raise ValidationError unless value is a username in the safe alphabet, already lowercase.

    Valid means: equal to its NFKC form lowercased, only [a-z0-9._-], 3 to 150 characters.
    Callers that accept "An.Peeters" lowercase ASCII input first (username_clean).
    """
    if not isinstance(value, str):
        raise ValidationError(ALPHABET_MESSAGE, code="invalid")
    if not value.isascii() or unicodedata.normalize("NFKC", value) != value:
        raise ValidationError(LOOKALIKE_MESSAGE, code="lookalike")
    if not USERNAME_ALPHABET.fullmatch(value):
        raise ValidationError(ALPHABET_MESSAGE, code="invalid")
    if not USERNAME_MIN_LENGTH <= len(value) <= USERNAME_MAX_LENGTH:
        raise ValidationError(
            LENGTH_MESSAGE, code="length", params={"min": USERNAME_MIN_LENGTH, "max": USERNAME_MAX_LENGTH}
        )
    if unicodedata.normalize("NFKC", value).lower() != value:
        raise ValidationError(ALPHABET_MESSAGE, code="invalid")


def username_clean(value: str) -> str:
    """Return the username to store: stripped, ASCII lowercased; raise ValidationError if unsafe.

    Only ASCII is lowercased here: "K" (the Kelvin sign) lowercases to a plain "k" and must be
    refused, not quietly turned into a letter that looks like what was typed.
    """
    value = value.strip()
    if value.isascii():
        value = value.lower()
    username_validator(value)
    return value


def username_in_use(value: str, *, exclude_pk=None) -> bool:
    """Return whether an account's username equals value, ignoring case, NFKC forms and invisible
    characters (also for accounts made before this check, whose names may hold any of those)."""
    from .models import User

    others = User.objects.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.filter(username__iexact=value).exists():
        return True
    key = username_key(value)
    # Few accounts (hundreds): compare every one in Python, where NFKC exists.
    return any(username_key(name) == key for name in others.values_list("username", flat=True).iterator())
