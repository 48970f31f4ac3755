"""The load scenario of issue 13: 50 counsellors registering contacts and 2 coordinators reading reports.

Run by scripts/load.sh (locust headless, loopback only, bounded in time and in saves). Each
counsellor logs in (password, then a TOTP code from the account's known secret) and then, with
2–5 s of thinking between steps, opens the form, autosaves it twice, saves it, looks at the list
and opens a contact of it. Each coordinator runs a year report and an XLSX export (started,
made by the Celery worker, downloaded). Nothing typed is free text: the summary stays empty.

The number of successful saves is written to $LOAD_SAVES_FILE when the run stops, so the script
can check it against the contacts the database gained.

The users are locust's FastHttpUser (geventhttpclient): the driver shares the two cores with the
server it measures, and it spends several times less CPU per request than the requests-based
HttpUser. Forms are sent url-encoded here (lists as repeated fields), redirects are read from
the Location header.
"""

from __future__ import annotations

import os
import random
import re
import threading
import time
from datetime import timedelta
from urllib.parse import urlencode

import pyotp
from locust import FastHttpUser, SequentialTaskSet, between, events, task
from locust.exception import StopUser

from loadtest.accounts import COORDINATORS, COUNSELLORS, PASSWORD, secret_of, team_of

MAX_SAVES = int(os.environ.get("LOAD_MAX_SAVES", "5000"))
SAVES_FILE = os.environ.get("LOAD_SAVES_FILE", "")
_lock = threading.Lock()
_saves = {"ok": 0}
_accounts = {"counsellor": list(COUNSELLORS), "coordinator": list(COORDINATORS)}

TOKEN = re.compile(r'name="token" value="([0-9a-f-]{36})"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONTACT_LINK = re.compile(r'href="/contacts/([0-9a-f-]{36})/"')
NEXT_LINK = re.compile(r'<a href="\?([^"]+)" rel="next">')


def _take(kind: str) -> str:
    with _lock:
        if not _accounts[kind]:
            raise StopUser()
        return _accounts[kind].pop(0)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _csrf(response) -> str:
    match = CSRF.search(response.text or "")
    return match[1] if match else ""


def _post_form(client, url: str, data: dict, **kwargs):
    """POST `data` as a browser sends a form (a list value as the field repeated)."""
    return client.post(url, data=urlencode(data, doseq=True), headers=FORM, **kwargs)


def _login(user, username: str) -> None:
    page = user.client.get("/login/", name="login page")
    with _post_form(
        user.client,
        "/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(page)},
        name="login password",
        allow_redirects=False,
        catch_response=True,
    ) as response:
        location = response.headers.get("Location", "") if response.headers else ""
        # Past the password the app sends the user on (to "/", which asks for the code).
        if response.status_code != 302 or "/login/" in location:
            response.failure(f"password step answered {response.status_code} {location}")
            raise StopUser()
    verify = user.client.get("/account/two-factor/verify/", name="login page")
    code = pyotp.TOTP(secret_of(username)).now()
    with _post_form(
        user.client,
        "/account/two-factor/verify/",
        {"token": code, "csrfmiddlewaretoken": _csrf(verify)},
        name="login code",
        allow_redirects=False,
        catch_response=True,
    ) as response:
        location = response.headers.get("Location", "") if response.headers else ""
        if response.status_code != 302 or "/two-factor/" in location:
            response.failure("code refused")
            raise StopUser()


def _form_data(token: str, team: str) -> dict:
    now = time.localtime()
    moment = time.strftime("%Y-%m-%d %H:%M", time.localtime(time.mktime(now) - random.randint(0, 3600)))
    day, hour = moment.split(" ")
    return {
        "token": token,
        "started_date": day,
        "started_time": hour,
        "duration_minutes": str(random.randint(2, 60)),
        "channel": random.choice(["phone", "chat", "email"]),
        "team": team,
        "caller_region": "antwerpen",
        "caller_age": "18_64",
        "caller_gender": random.choice(["female", "male"]),
        "anonymous": "yes",
        "caller_relation": "1200",
        "summary": "",
        "persons-TOTAL_FORMS": "1",
        "persons-INITIAL_FORMS": "0",
        "persons-0-gender": "female",
        "persons-0-age": "7_12",
        "persons-0-problem": random.choice(["child_abuse", "partner_violence"]),
        "persons-0-context": "separated_nuclear_family",
        "persons-0-violence_forms": ["emotional_violence", "physical_violence"],
        "persons-0-referrals": ["caw"],
    }


class Registration(SequentialTaskSet):
    """One contact registered, then the list and one contact of it: each step a think time apart."""

    def on_start(self):
        self.token = None
        self.data = None

    @task
    def open_form(self):
        response = self.client.get("/contacts/new/", name="form")
        match = TOKEN.search(response.text)
        self.token = match[1] if match else None
        self.csrf = _csrf(response)
        self.data = _form_data(self.token or "", self.user.team)

    @task
    def autosave(self):
        if not self.token:
            return
        for count in (6, len(self.data)):
            partial = dict(list(self.data.items())[:count])
            self.client.post(
                f"/contacts/drafts/{self.token}/autosave/",
                json={"data": {k: v if isinstance(v, list) else str(v) for k, v in partial.items()}},
                headers={"X-CSRFToken": self.csrf},
                name="autosave",
            )
            time.sleep(random.uniform(1, 2))

    @task
    def save(self):
        if not self.token:
            return
        with _lock:
            if _saves["ok"] >= MAX_SAVES:
                raise StopUser()
        with _post_form(
            self.client,
            "/contacts/new/",
            {**self.data, "csrfmiddlewaretoken": self.csrf},
            name="save",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and re.search(r"/contacts/[0-9a-f-]{36}/$", response.headers["Location"]):
                with _lock:
                    _saves["ok"] += 1
            else:
                response.failure(f"save answered {response.status_code}")

    @task
    def contact_list(self):
        response = self.client.get("/contacts/", name="list")
        self.contacts = CONTACT_LINK.findall(response.text)
        following = NEXT_LINK.search(response.text)
        if following and random.random() < 0.3:
            self.client.get("/contacts/?" + following[1].replace("&amp;", "&"), name="list next page")

    @task
    def open_contact(self):
        if getattr(self, "contacts", None):
            self.client.get(f"/contacts/{random.choice(self.contacts)}/", name="contact")


class Counsellor(FastHttpUser):
    fixed_count = 50
    wait_time = between(2, 5)
    tasks = [Registration]

    def on_start(self):
        self.username = _take("counsellor")
        self.team = team_of(self.username)
        _login(self, self.username)


class Coordinator(FastHttpUser):
    fixed_count = 2
    wait_time = between(2, 5)

    def on_start(self):
        self.username = _take("coordinator")
        _login(self, self.username)

    @task(3)
    def report(self):
        year = random.choice([2024, 2023, 2020])
        self.client.get(f"/reports/?year_from={year}", name="report")

    @task(1)
    def xlsx(self):
        page = self.client.get("/reports/?year_from=2024", name="report")
        started = time.perf_counter()
        with _post_form(
            self.client,
            "/reports/export/",
            {"year_from": "2024", "csrfmiddlewaretoken": _csrf(page)},
            name="xlsx start",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or "/reports/export/" not in location:
                response.failure(f"export answered {response.status_code} {location}")
                return
        download = location.rstrip("/") + "/download/"
        deadline = started + timedelta(seconds=60).total_seconds()
        while time.perf_counter() < deadline:
            response = self.client.get(download, name="xlsx poll", allow_redirects=False)
            if response.status_code == 200:
                events.request.fire(
                    request_type="XLSX",
                    name="xlsx ready (start to file)",
                    response_time=(time.perf_counter() - started) * 1000,
                    response_length=len(response.content),
                    exception=None,
                    context={},
                )
                return
            time.sleep(0.5)
        events.request.fire(
            request_type="XLSX",
            name="xlsx ready (start to file)",
            response_time=60_000,
            response_length=0,
            exception=TimeoutError("no file after 60 s"),
            context={},
        )


@events.quitting.add_listener
def _write_saves(environment, **kwargs):
    if SAVES_FILE:
        with open(SAVES_FILE, "w") as handle:
            handle.write(str(_saves["ok"]))
