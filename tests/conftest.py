import os

import pytest
from django.db import connection
from django.db.models.signals import post_migrate
from django.utils import translation

from accounts.models import Role

from .factories import UserFactory

ON_CI = os.environ.get("CI") == "true"
POSTGRES_ONLY = pytest.mark.skip(reason="PostgreSQL only (@pytest.mark.postgres); CI runs it there")


def _reload_migration_data(sender, using="default", **kwargs):
    """After a transactional test's flush, load the data migrations' rows again (teams, code lists,
    opening hours, closures), as a fresh database has them.

    The flush empties every table and then sends post_migrate. Without this, a test that reads a
    team or a code would pass or fail by whether a transactional test ran before it in the same
    process (the order differs under pytest-xdist). A real `migrate` finds the teams there and
    loads nothing.
    """
    if sender.label != "registration":
        return
    from registration.codelists import load_all
    from registration.models import Team

    if not Team.objects.using(using).exists():
        load_all()


post_migrate.connect(_reload_migration_data, dispatch_uid="tests-reload-migration-data")


def pytest_collection_modifyitems(config, items):
    # One marker says "PostgreSQL only"; off PostgreSQL the test is skipped, and on CI a skip fails the run.
    if connection.vendor != "postgresql":
        for item in items:
            if item.get_closest_marker("postgres"):
                item.add_marker(POSTGRES_ONLY)
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


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Every test starts in the default language: a page, report or command that ran in English
    before it in the same process (the order differs under pytest-xdist) must not carry over."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


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
        verify_two_factor(client, user)
        return client

    return _login


@pytest.fixture
def login_unverified(client):
    """login_unverified(user) -> a client past the password but not the two-factor step."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


def verify_two_factor(client, user):
    """Mark the client's session as two-factor verified, as django_otp.login does."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def _fresh_codebook(request, _django_db_marker, settings):
    """Each test reads the code lists anew: a code a rolled-back test made (its commit, which
    would tell the other processes, never comes) must not stay in this process's copy. Where the
    process keeps them (with Redis) they are read before the test, as a running server has them,
    so a test's query counts do not depend on which test ran before (tests/query_counts.CODES)."""
    from registration import codebook

    codebook.codes_changed()
    if settings.CODEBOOK_PROCESS_CACHE:
        for name in ("transactional_db", "db"):
            if name in request.fixturenames:
                request.getfixturevalue(name)
                break
        try:
            from registration.derivation import Schedule

            codebook.all_codes()
            codebook.held("schedule", Schedule.load)
        except RuntimeError:  # no database for this test
            codebook.codes_changed()
    yield
