"""The one code-book type: the codes of the registration's lists, loaded in one query.

The form offers its choices, the screens show its labels and the import checks against it;
each judges validity on a day (the contact's local date).

The codes (some 130 rows, labels and search words: no case data) are kept per process and
read again only when an administrator changed one: a change of a code bumps a version in the
shared cache (Redis), which each request compares with the one its process holds: one cache
read instead of a query and 130 model instances per request (issue 13). The opening hours and
closures (registration.derivation.Schedule) are kept the same way, under the same version.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import REGISTRATION_CODE_LISTS, Closure, Code, OpeningHours

logger = logging.getLogger(__name__)

VERSION_KEY = "registration:codebook:version"
# What this process holds: name -> (version, value).
_held: dict[str, tuple[str, object]] = {}
# The version read once per request (the request's thread): None outside a request, or not read yet.
_request = threading.local()


def _version() -> str | None:
    version = getattr(_request, "version", None)
    if version is not None:
        return version
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # noqa: BLE001 - without the shared cache, read from the database as without Redis
        logger.warning("code lists: the shared cache is unreachable; reading them from the database")
        return None
    if getattr(_request, "active", False):
        _request.version = version
    return version


def held(name: str, load):
    """`load()`, from this process's copy while no code, opening hours or closure changed since."""
    if not settings.CODEBOOK_PROCESS_CACHE:
        return load()
    version = _version()
    copy = _held.get(name)
    if version is None or copy is None or copy[0] != version:
        copy = _held[name] = (version, load())
    return copy[1]


def all_codes() -> tuple[Code, ...]:
    """Every code in list order, from this process's copy while no code changed since."""
    return held("codes", lambda: tuple(Code.objects.order_by("list", "sort", "code")))


def codes_changed() -> None:
    """Make every process read the codes (and opening hours) again (now, and once more when the
    change commits)."""
    _held.clear()
    _request.version = None
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:  # noqa: BLE001 - every process then reads the database until the cache is back
        logger.warning("code lists: the shared cache is unreachable; a change cannot be announced")


@receiver(post_save, sender=Code)
@receiver(post_delete, sender=Code)
@receiver(post_save, sender=OpeningHours)
@receiver(post_delete, sender=OpeningHours)
@receiver(post_save, sender=Closure)
@receiver(post_delete, sender=Closure)
def _code_changed(sender, **kwargs) -> None:
    codes_changed()
    # A process that read the codes between the save and the commit holds the old ones.
    transaction.on_commit(codes_changed)


@receiver(request_started)
def _request_started(sender, **kwargs) -> None:
    _request.active, _request.version = True, None


@receiver(request_finished)
def _request_finished(sender, **kwargs) -> None:
    _request.active, _request.version = False, None


class CodeBook:
    """The codes of some lists (all the registration reads by default), in list order."""

    def __init__(self, day: date | None = None, lists: Iterable[str] = REGISTRATION_CODE_LISTS):
        self.day = day
        self.codes: dict[str, list[Code]] = defaultdict(list)
        self._index: dict[tuple[str, str], Code] = {}
        wanted = set(lists)
        for code in all_codes():
            if code.list not in wanted:
                continue
            self.codes[code.list].append(code)
            self._index[(code.list, code.code)] = code

    def find(self, list_name: str, code: str) -> Code | None:
        return self._index.get((list_name, code))

    def label(self, list_name: str, code: str) -> str:
        """The code's label in the request's language; an unknown code shows as itself."""
        found = self.find(list_name, code)
        return found.label if found else str(code)

    def rollup(self, list_name: str, code: str | None) -> str:
        """The code's roll-up (its age group, relation group, series …); "" when it has none."""
        found = self.find(list_name, code) if code else None
        return found.rollup if found else ""

    def choices(self, list_name: str, *, grouped: bool = False, selected=()) -> list:
        """Codes valid on the day, plus codes already chosen (so an old value stays visible)."""
        keep = set(selected or ())
        valid = [c for c in self.codes[list_name] if c.is_valid_on(self.day) or c.code in keep]
        if not grouped:
            return [(c.code, c.label) for c in valid]
        # Grouped by the stable Dutch group, shown in the request's language.
        groups: dict[str, tuple[str, list]] = {}
        for c in valid:
            groups.setdefault(c.group_nl, (c.group, []))[1].append((c.code, f"{c.code} {c.label}"))
        result: list = []
        for key, (shown, items) in groups.items():
            if key:
                result.append((shown, items))
            else:
                result.extend(items)
        return result

    def search_texts(self, list_name: str) -> dict[str, str]:
        """What typing may match per code besides the code and its shown label (see Code.search_text)."""
        return {c.code: c.search_text for c in self.codes[list_name]}

    def boundaries(self) -> list[str]:
        """The days on which some code's validity starts or ends (ISO dates, sorted).

        The screen reloads its options when the contact's date moves across one of them.
        """
        days = set()
        for codes in self.codes.values():
            for code in codes:
                if code.valid_from:
                    days.add(code.valid_from)
                if code.valid_until:
                    days.add(code.valid_until + timedelta(days=1))
        return sorted(day.isoformat() for day in days)
