"""Refuse input the database cannot store before any view (or log line) sees it (issue 11).

A NUL byte cannot be stored in PostgreSQL text, and a lone surrogate (or any byte sequence that
is not UTF-8) cannot be encoded for it: let through, either one fails inside the database driver,
a 500 whose traceback may carry what was typed. This middleware answers 400 instead, with a clear
message where the user is (a page, or JSON for fetch and API clients), for the query string, a
form body (urlencoded or multipart) and a JSON body, keys and values alike. It logs that it
refused a request, never what was in it.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import unquote_to_bytes

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

JSON_TYPES = ("application/json",)
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"
# Larger JSON bodies are left to the view (and to DATA_UPLOAD_MAX_MEMORY_SIZE).
JSON_CHECK_MAX = 10 * 1024 * 1024


def bad_text(value: str) -> bool:
    """True when the text holds a NUL or cannot be encoded as UTF-8 (a lone surrogate)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _clean_text(raw: bytes) -> str | None:
    try:
        text = unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def bad_urlencoded(raw: bytes) -> str | bool:
    """The name of the first field of a query string or urlencoded body that is not clean UTF-8
    text ("" when the name itself is not), or False when all are clean.

    Django decodes these leniently (bad bytes become U+FFFD), so the raw bytes are checked here.
    """
    for part in raw.replace(b";", b"&").split(b"&"):
        if not part:
            continue
        name, _sep, value = part.partition(b"=")
        key = _clean_text(name)
        if key is None:
            return ""
        if _clean_text(value) is None:
            return key if len(key) <= 100 else ""
    return False


def bad_json(value) -> bool:
    """True when any key or string of a decoded JSON document is not clean text."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if bad_text(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _where(request) -> tuple[str, str] | None:
    """Which part of the request holds bad input, and the field's name ("": unknown); None: none."""
    query = request.META.get("QUERY_STRING", "")
    if query:
        field = bad_urlencoded(query.encode("latin-1", "replace"))
        if field is not False:
            return "query", field
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type == FORM_TYPE:
        field = bad_urlencoded(request.body)
        return None if field is False else ("form", field)
    if content_type == MULTIPART_TYPE:
        for key, values in request.POST.lists():
            if bad_text(key):
                return "form", ""
            if any(bad_text(v) for v in values):
                return "form", key
        return None
    if content_type in JSON_TYPES or content_type.endswith("+json"):
        body = request.body
        if not body or len(body) > JSON_CHECK_MAX:
            return None
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return None  # not JSON: the view answers that
        return ("json", "") if bad_json(document) else None
    return None


def wants_json(request) -> bool:
    return (
        (request.content_type or "") in JSON_TYPES
        or request.path_info.startswith("/api/")
        or "application/json" in request.headers.get("Accept", "")
        or request.headers.get("X-Requested-With") == "fetch"
    )


class BadBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = _where(request)
        if found is None:
            return self.get_response(request)
        where, field = found
        # Which part, never the value (nor the field's name, which the sender chose): the value
        # may be a victim's name.
        logger.warning("Refused a request with a NUL byte or invalid text in its %s", where)
        message = _(
            "Deze invoer bevat tekens die niet bewaard kunnen worden (een nulteken of een ongeldig "
            "teken, vaak van kopiëren en plakken). Verwijder ze en probeer opnieuw."
        )
        if wants_json(request):
            body = {"ok": False, "reason": "invalid_characters", "detail": message}
            if field and field not in body:
                body[field] = [message]  # where a form or the API names its field errors
            return JsonResponse(body, status=400)
        return render(request, "bad_input.html", {"message": message, "field": field}, status=400)
