"""Nothing a caller said reaches the logs, the cache/Redis or Celery messages (issue 5).

A unique marker goes into every free-text field (the summary, and a stray search parameter)
while registering, failing validation, editing, searching and exporting; then the marker is
looked for in every log record, every cache entry (every Redis key and value when REDIS_URL is
set, including queued Celery messages) and every Celery task's arguments.
"""

import base64
import json
import logging
import uuid

import pytest
from celery.signals import before_task_publish, task_prerun
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from registration.models import Contact, ContactText
from tests.registration.test_views import _edit_data, form_data

MARKER = f"MARKER{uuid.uuid4().hex}"


@pytest.fixture
def task_messages():
    seen = []

    def on_publish(sender=None, body=None, headers=None, **kwargs):
        seen.append(repr((sender, body, headers)))

    def on_run(sender=None, task_id=None, task=None, args=None, kwargs=None, **extra):
        seen.append(repr((getattr(task, "name", sender), args, kwargs)))

    before_task_publish.connect(on_publish, weak=False)
    task_prerun.connect(on_run, weak=False)
    yield seen
    before_task_publish.disconnect(on_publish)
    task_prerun.disconnect(on_run)


def redis_dump() -> list[bytes]:
    """Every key and value in the Redis database, queued Celery message bodies decoded."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    found = []
    for key in client.scan_iter():
        found.append(key)
        kind = client.type(key)
        if kind == b"string":
            found.append(client.get(key) or b"")
        elif kind == b"list":
            found.extend(client.lrange(key, 0, -1))
        elif kind == b"hash":
            for field, value in client.hgetall(key).items():
                found.extend([field, value])
        elif kind in (b"set", b"zset"):
            found.extend(client.smembers(key) if kind == b"set" else client.zrange(key, 0, -1))
    decoded = []
    for value in found:
        try:
            message = json.loads(value)
            if isinstance(message, dict) and "body" in message:
                decoded.append(base64.b64decode(message["body"]))
        except (ValueError, TypeError):
            pass
    return found + decoded


def cache_dump() -> list[bytes]:
    if settings.REDIS_URL:
        return redis_dump()
    backend = cache._cache if hasattr(cache, "_cache") else {}
    return [
        repr(key).encode() + b"=" + (value if isinstance(value, bytes) else repr(value).encode())
        for key, value in backend.items()
    ]


def test_the_marker_reaches_no_log_cache_or_task_message(
    login, counsellor, coordinator, caplog, capfd, task_messages, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    # Proves the dump below reads the cache (or Redis) the app writes to: an empty dump would pass unseen.
    cache.set("no-personal-data-probe", "PROBE")
    client = login(counsellor)
    locations = []

    # Register, with the marker in the summary.
    response = client.post("/contacts/new/", form_data(summary=f"{MARKER} registered"))
    assert response.status_code == 302
    locations.append(response["Location"])
    contact = Contact.objects.get()
    assert ContactText.objects.get(contact=contact).summary == f"{MARKER} registered"

    # Fail validation: the typed text comes back in the form, nowhere else.
    response = client.post("/contacts/new/", form_data(summary=f"{MARKER} invalid", channel="no-such-channel"))
    assert response.status_code == 400
    assert MARKER in response.content.decode()

    # Edit.
    data = _edit_data(client, contact, summary=f"{MARKER} edited")
    response = client.post(f"/contacts/{contact.uuid}/edit/", data)
    assert response.status_code == 302
    locations.append(response["Location"])
    assert ContactText.objects.get(contact=contact).summary == f"{MARKER} edited"

    # Open and search (a stray free-text parameter included).
    assert client.get(f"/contacts/{contact.uuid}/").status_code == 200
    assert client.get(f"/contacts/?channel=phone&q={MARKER}").status_code == 200
    assert client.get(f"/api/contacts/{contact.uuid}/").status_code == 200

    # Export: the record-level command (its output is the export itself) and a report export.
    call_command("export_contacts", "--include-text")
    exported = capfd.readouterr()
    assert MARKER in exported.out
    coordinator_client = login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post("/reports/export/", {"year_from": "2024"})
    assert response.status_code == 302
    locations.append(response["Location"])

    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert MARKER not in logged
    assert MARKER not in exported.err
    streams = capfd.readouterr()
    assert MARKER not in streams.out + streams.err
    assert all(MARKER not in location for location in locations)
    assert task_messages, "the report export should have sent a task"
    assert MARKER not in "\n".join(task_messages)
    dump = cache_dump()
    assert any(b"PROBE" in value for value in dump)
    assert not any(MARKER.encode() in value for value in dump)
