"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's live_server.

Install the browser with `apt-get install -y chromium` (the tests use /usr/bin/chromium, not
Playwright's own download). They run last (see tests/conftest.py) and are marked `e2e`.
"""

import os
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--lang=nl-BE",
]


@pytest.fixture(autouse=True)
def code_lists(request):
    """The data migration's teams, code lists and opening hours, for every browser test.

    A live-server test runs in a flushed database (transactional); reload the seed data
    here rather than through serialized_rollback, which loses it once Playwright's
    greenlets have run on PostgreSQL.
    """
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from registration.codelists import load_all
    from registration.models import Closure, Code, OpeningHours, Team

    load_all(Team, Code, OpeningHours, Closure)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test
    # body are still synchronous and safe. Set only while browsers run: `check --deploy`
    # (tests/test_deploy_check.py) rightly refuses this variable.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch(sync_playwright)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launch(sync_playwright):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            # Date and time inputs follow the browser's language: show them as a Flemish counsellor sees them.
            env={**os.environ, "LANG": "nl_BE.UTF-8", "LANGUAGE": "nl_BE:nl"},
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_login(browser, live_server, login):
    """browser_login(user) -> a Playwright page whose browser is logged in as user."""
    contexts = []

    def _login(user, *, viewport=None):
        # Through the suite's login(user): past every login step the app requires.
        client = login(user)
        session_cookie = client.cookies["sessionid"]
        context = browser.new_context(
            locale="nl-BE", timezone_id="Europe/Brussels", viewport=viewport or {"width": 1400, "height": 1050}
        )
        context.add_cookies([{"name": "sessionid", "value": session_cookie.value, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield _login
    for context in contexts:
        context.close()
    if contexts:
        # A request the page sent just before it closed (a keep-alive, an autosave on blur) may still
        # run in the live server's thread; the database flush after the test would then deadlock
        # with it (seen once on CI). Let it finish first.
        time.sleep(0.5)


AXE = Path(__file__).parent / "assets" / "axe-core" / "axe.min.js"


def run_axe(page, base_url: str) -> list[dict]:
    """Run the vendored axe-core on the page; return the serious and critical violations."""
    # axe-core is a test asset, not a static file the app ships. The browser fetches it from a
    # URL of the page's own origin, answered here, so the page's Content-Security-Policy
    # (no inline scripts) stays on.
    script = AXE.read_text()
    url = f"{base_url}/__tests__/axe.min.js"
    page.route(url, lambda route: route.fulfill(body=script, content_type="text/javascript"))
    page.add_script_tag(url=url)
    page.unroute(url)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
