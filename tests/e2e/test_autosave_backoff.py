"""Autosave after a 400 for invalid characters (helpline/bad_bytes.py): the server's message shows,
and it backs off like after any other error (issue 11, point 7)."""

import json
import time

from .test_registration_screen import tab_to

NEW = "/contacts/new/"
DETAIL = "Deze invoer bevat tekens die niet bewaard kunnen worden."


def test_a_refused_character_shows_the_servers_message_and_backs_off(browser_login, live_server, counsellor):
    page = browser_login(counsellor)
    page.goto(live_server.url + NEW)
    body = json.dumps({"ok": False, "reason": "invalid_characters", "detail": DETAIL})
    page.route("**/autosave/", lambda route: route.fulfill(status=400, body=body, content_type="application/json"))
    calls: list[float] = []
    page.on("request", lambda r: calls.append(time.monotonic()) if r.url.endswith("/autosave/") else None)
    tab_to(page, "id_summary")
    page.keyboard.type("Eerste")
    page.locator("#id_summary").blur()
    page.wait_for_timeout(7_000)
    assert page.locator("#autosave-status").text_content().strip() == DETAIL
    # 5 s after the first refusal, not at once and not every keystroke.
    assert len(calls) == 2, [round(c - calls[0], 1) for c in calls]
    assert calls[1] - calls[0] >= 4.5
