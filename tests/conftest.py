import os

import pytest

from accounts.models import Role

from .factories import UserFactory

ON_CI = os.environ.get("CI") == "true"


def pytest_collection_modifyitems(config, items):
    # Browser tests are slow to start; run them last so a failure elsewhere shows first.
    items.sort(key=lambda item: "e2e" in item.keywords)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """On CI a skipped test is a failure: the real-services tests must run, not be skipped."""
    skipped = terminalreporter.stats.get("skipped", [])
    if ON_CI and skipped:
        terminalreporter.write_line(f"CI: {len(skipped)} test(s) skipped; CI requires every test to run.", red=True)


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if ON_CI and reporter and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1


@pytest.fixture
def counsellor(db):
    return UserFactory(username="counsellor_a", role=Role.COUNSELLOR, teams=["antwerpen"])


@pytest.fixture
def counsellor_b(db):
    return UserFactory(username="counsellor_b", role=Role.COUNSELLOR, teams=["limburg"])


@pytest.fixture
def coordinator(db):
    return UserFactory(username="coordinator_a", role=Role.TEAM_COORDINATOR, teams=["antwerpen"])


@pytest.fixture
def flemish_coordinator(db):
    return UserFactory(username="flemish", role=Role.FLEMISH_COORDINATOR)


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def login(client):
    """login(user) -> a test client logged in as user, past every login step the app requires."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
