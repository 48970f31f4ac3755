"""Drafts: saved server-side while typing, recovered after a closed tab or an expired session."""

import json
import logging
import time
import uuid

import pytest
from django.conf import settings

from registration.models import Contact, Draft
from tests.factories import ContactFactory, UserFactory

from .test_views import selected_option

pytestmark = pytest.mark.django_db

SUMMARY = "Moeder vertelt dat haar dochter thuis geslagen wordt."


def typed_state(token, **overrides):
    """The form state as the screen's script sends it: every field a list of strings."""
    state = {
        "token": [str(token)],
        "started_date": ["2024-03-14"],
        "started_time": ["10:32"],
        "channel": ["phone"],
        "team": ["antwerpen"],
        "caller_relation": ["1100"],
        "summary": [SUMMARY],
        "persons-TOTAL_FORMS": ["2"],
        "persons-INITIAL_FORMS": ["0"],
        "persons-0-gender": ["female"],
        "persons-0-problem": ["child_abuse"],
        "persons-0-violence_forms": ["emotional_violence", "physical_violence"],
        "persons-0-referrals": ["caw", "police_justice"],
        "persons-0-DELETE": [""],
        "persons-1-gender": ["male"],
        "persons-1-DELETE": [""],
    }
    state.update(overrides)
    return state


def autosave(client, token, state, **extra):
    return client.post(
        f"/contacts/drafts/{token}/autosave/",
        data=json.dumps({"data": state, **extra}),
        content_type="application/json",
    )


def test_autosave_stores_the_typed_state_for_its_owner(counsellor, login):
    client = login(counsellor)
    token = uuid.uuid4()
    response = autosave(client, token, typed_state(token))
    assert response.status_code == 200
    assert response.json()["ok"] is True
    draft = Draft.objects.get(token=token)
    assert draft.owner == counsellor
    assert draft.data["summary"] == [SUMMARY]
    assert draft.data["persons-0-violence_forms"] == ["emotional_violence", "physical_violence"]
    # A later save replaces the state: still one draft.
    autosave(client, token, typed_state(token, channel=["chat"]))
    assert Draft.objects.get().data["channel"] == ["chat"]


def test_draft_is_recovered_after_the_tab_was_closed(counsellor, login):
    client = login(counsellor)
    token = uuid.uuid4()
    autosave(client, token, typed_state(token))

    # A new tab: the counsellor finds the draft among their open drafts and resumes it.
    listing = client.get("/contacts/drafts/")
    assert [item["draft"].token for item in listing.context["drafts"]] == [token]
    assert (listing.context["drafts"][0]["channel"], listing.context["drafts"][0]["persons"]) == ("Telefoon", 2)
    assert SUMMARY not in listing.content.decode()
    assert client.get("/contacts/").context["drafts"][0]["draft"].token == token
    response = client.get(f"/contacts/drafts/{token}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert SUMMARY in html
    assert f'value="{token}"' in html
    assert selected_option("1100", html)
    assert selected_option("physical_violence", html)
    assert selected_option("police_justice", html)
    formset = response.context["formset"]
    assert [f["gender"].value() for f in formset.forms] == ["female", "male"]

    # Saving the recovered draft registers one contact and closes the draft.
    post = {key: values for key, values in typed_state(token).items()}
    assert client.post("/contacts/new/", post).status_code == 302
    contact = Contact.objects.get()
    assert contact.persons.count() == 2
    assert contact.text.summary == SUMMARY
    draft = Draft.objects.get(token=token)
    assert draft.registered == contact
    assert draft.data == {}
    assert client.get("/contacts/drafts/").context["drafts"] == []
    # Its address (where Back lands after the save) says it was saved, and offers no form to save again.
    again = client.get(f"/contacts/drafts/{token}/")
    assert [t.name for t in again.templates][0] == "registration/draft_registered.html"
    assert f'href="/contacts/{contact.uuid}/"' in again.content.decode()
    # A late autosave of the registered draft (a slow request) changes nothing.
    late = autosave(client, token, typed_state(token, channel=["email"]))
    assert late.status_code == 409
    assert Draft.objects.get(token=token).data == {}


def test_expired_session_stores_nothing_until_the_counsellor_logs_in_again(counsellor, login, client):
    client = login(counsellor)
    token = uuid.uuid4()
    autosave(client, token, typed_state(token, channel=["phone"]))

    # 31 idle minutes later the session has ended.
    session = client.session
    session["accounts_last_seen"] = time.time() - (settings.SESSION_IDLE_MINUTES + 1) * 60
    session.save()
    expired = autosave(client, token, typed_state(token, channel=["chat"]))
    assert (expired.status_code, expired.headers["Location"]) == (
        302,
        f"/login/?next=/contacts/drafts/{token}/autosave/",
    )
    assert Draft.objects.get(token=token).data["channel"] == ["phone"]
    status = client.get("/contacts/session/")
    assert (status.status_code, status.headers["Location"]) == (302, "/login/?next=/contacts/session/")

    # Logged in again (the page's dialog), the same draft takes the typed state.
    client = login(counsellor)
    assert client.get("/contacts/session/").json()["authenticated"] is True
    assert autosave(client, token, typed_state(token, channel=["chat"])).status_code == 200
    assert Draft.objects.get(token=token).data["channel"] == ["chat"]
    response = client.get(f"/contacts/drafts/{token}/")
    assert response.context["form"]["channel"].value() == "chat"
    assert SUMMARY in response.content.decode()


def test_anonymous_autosave_is_sent_to_the_login_page_and_stores_nothing(client):
    token = uuid.uuid4()
    response = autosave(client, token, typed_state(token))
    assert (response.status_code, response.headers["Location"]) == (
        302,
        f"/login/?next=/contacts/drafts/{token}/autosave/",
    )
    assert Draft.objects.count() == 0


def test_session_status_hands_out_a_fresh_csrf_token(counsellor, login):
    client = login(counsellor)
    response = client.get("/contacts/session/")
    assert response.status_code == 200
    body = response.json()
    assert body["authenticated"] is True
    assert len(body["csrf"]) == 64


def test_draft_of_another_user_can_be_neither_saved_nor_opened(counsellor, login):
    colleague = UserFactory(teams=["antwerpen"])
    token = uuid.uuid4()
    Draft.objects.create(token=token, owner=colleague, data={"summary": ["Van een collega."]})
    client = login(counsellor)
    assert autosave(client, token, typed_state(token)).status_code == 403
    assert Draft.objects.get(token=token).data == {"summary": ["Van een collega."]}
    assert client.get(f"/contacts/drafts/{token}/").status_code == 404
    assert client.get("/contacts/drafts/").context["drafts"] == []


def test_autosave_refuses_a_malformed_state(counsellor, login):
    client = login(counsellor)
    token = uuid.uuid4()
    assert autosave(client, token, {"channel": [{"nested": 1}]}).status_code == 400
    bad_json = client.post(f"/contacts/drafts/{token}/autosave/", data="{", content_type="application/json")
    assert bad_json.status_code == 400
    assert Draft.objects.count() == 0


def test_discarded_draft_leaves_the_list(counsellor, login):
    client = login(counsellor)
    token = uuid.uuid4()
    autosave(client, token, typed_state(token))
    assert client.post(f"/contacts/drafts/{token}/discard/").status_code == 302
    draft = Draft.objects.get(token=token)
    assert draft.discarded_at is not None
    assert draft.data == {}
    assert client.get("/contacts/drafts/").context["drafts"] == []


def test_edit_draft_resumes_the_edit_with_its_version(counsellor, login):
    contact = ContactFactory(created_by=counsellor, channel="phone")
    client = login(counsellor)
    token = uuid.uuid4()
    state = {"started_date": [contact.started_on.isoformat()], "channel": ["chat"], "version": ["1"]}
    assert autosave(client, token, state, edits=str(contact.uuid)).status_code == 200
    assert Draft.objects.get(token=token).edits == contact
    response = client.get(f"/contacts/drafts/{token}/")
    assert response.status_code == 200
    assert response.context["contact"] == contact
    assert response.context["form"]["channel"].value() == "chat"
    assert response.context["form"]["version"].value() == "1"


def test_draft_of_an_edit_the_user_may_not_make_is_refused(counsellor, login):
    colleague = UserFactory(teams=["antwerpen"])
    contact = ContactFactory(created_by=colleague)
    client = login(counsellor)
    response = autosave(client, uuid.uuid4(), {"channel": ["chat"]}, edits=str(contact.uuid))
    assert response.status_code == 403
    assert Draft.objects.count() == 0


def test_free_text_never_reaches_the_logs_or_urls(counsellor, login, caplog):
    client = login(counsellor)
    token = uuid.uuid4()
    with caplog.at_level(logging.DEBUG):
        autosave(client, token, typed_state(token))
        response = client.post("/contacts/new/", typed_state(token))
        client.post("/contacts/new/", typed_state(uuid.uuid4(), duration_minutes=["-1"]))
    assert SUMMARY not in caplog.text
    assert SUMMARY not in response["Location"]


def test_typing_keeps_the_session_alive(counsellor, login):
    """Each autosave renews the idle clock: a counsellor typing for an hour is not logged out."""
    client = login(counsellor)
    token = uuid.uuid4()
    idle = (settings.SESSION_IDLE_MINUTES - 5) * 60
    for _ in range(3):  # three stretches of 25 quiet minutes, each ended by a keystroke
        session = client.session
        session["accounts_last_seen"] = time.time() - idle
        session.save()
        assert autosave(client, token, typed_state(token)).status_code == 200
    assert time.time() - client.session["accounts_last_seen"] < 5
    assert client.get("/contacts/session/").status_code == 200


def test_resumed_draft_offers_the_codes_valid_on_its_date(counsellor, login):
    """Moving the date back before 2021-07-01 reopens the draft with that day's problem list."""
    client = login(counsellor)
    token = uuid.uuid4()
    autosave(client, token, typed_state(token, started_date=["2020-03-14"]))
    response = client.get(f"/contacts/drafts/{token}/")
    problems = [code for code, _label in response.context["formset"].forms[0].fields["problem"].choices]
    assert "violence_against_adults" in problems
    assert "intrafamily_adult_violence" not in problems
    assert "2021-07-01" in response.context["facts"]["codeBoundaries"]
