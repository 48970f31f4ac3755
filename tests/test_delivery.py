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
    assert set(services) == {"migrate", "web", "worker", "db", "redis"}
    assert "gunicorn helpline.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("nice -n 10 celery -A helpline worker")
    for name in ("web", "worker"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://helpline_app:")
        assert "@db:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"} <= set(environment)
        # The running app never holds the owner's password; it starts once migrate has finished.
        assert "MIGRATE_DATABASE_URL" not in environment
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_compose_migrates_as_the_owner_and_runs_the_app_as_its_own_role():
    """Two database roles (audit/roles.py): the owner migrates, the app's login owns nothing."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    migrate = compose["services"]["migrate"]
    assert migrate["command"] == "python manage.py migrate --no-input"
    owner_url, app_url = migrate["environment"]["MIGRATE_DATABASE_URL"], migrate["environment"]["DATABASE_URL"]
    assert owner_url.startswith("postgres://helpline_owner:") and app_url.startswith("postgres://helpline_app:")
    db = compose["services"]["db"]
    assert owner_url.rsplit("/", 1)[1] == app_url.rsplit("/", 1)[1] == db["environment"]["POSTGRES_DB"]
    assert "./docker/initdb:/docker-entrypoint-initdb.d:ro" in db["volumes"]
    roles = (ROOT / "docker" / "initdb" / "10-roles.sh").read_text()
    assert "CREATE ROLE helpline_owner LOGIN" in roles and "CREATE ROLE helpline_app LOGIN" in roles
    assert "OWNER TO helpline_owner" in roles


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
