"""The delivery: docker-compose matches the settings, and CI really uses PostgreSQL and Redis."""

import os
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_compose_services_and_variables_match_the_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "db", "redis"}
    assert "gunicorn helpline.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A helpline worker")
    for name in ("web", "worker"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert "@db:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"} <= set(environment)
    db = services["db"]["environment"]
    user, password = environment["DATABASE_URL"].split("//")[1].split("@")[0].split(":")
    assert (db["POSTGRES_USER"], db["POSTGRES_PASSWORD"], db["POSTGRES_DB"]) == (
        user,
        password,
        environment["DATABASE_URL"].rsplit("/", 1)[1],
    )


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="CI runs against the real services")
@pytest.mark.django_db
def test_ci_runs_on_postgresql_and_redis():
    assert connection.vendor == "postgresql"
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert client.ping() is True


def test_embedded_default_without_services(monkeypatch):
    """With neither DATABASE_URL nor REDIS_URL the settings fall back to SQLite and eager tasks."""
    import importlib

    import helpline.settings as module

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    try:
        fresh = importlib.reload(module)
        assert fresh.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        assert fresh.CELERY_TASK_ALWAYS_EAGER is True
        assert fresh.TIME_ZONE == "Europe/Brussels" and fresh.LANGUAGE_CODE == "nl-be"
    finally:
        monkeypatch.undo()
        importlib.reload(module)
