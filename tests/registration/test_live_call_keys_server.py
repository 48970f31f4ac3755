"""Discarding a draft asks first (issue 10, point 5): the list's link shows a question, the answer posts."""

import uuid

import pytest

from registration.models import Draft
from registration.services import draft_save

pytestmark = pytest.mark.django_db


def test_asking_to_discard_a_draft_shows_the_question_and_keeps_the_draft(counsellor, login):
    token = uuid.uuid4()
    draft_save(user=counsellor, token=token, data={"channel": ["chat"], "summary": ["Zij belt."]})
    response = login(counsellor).get(f"/contacts/drafts/{token}/discard/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ja, weggooien" in page
    assert "Zij belt." not in page  # the question names the draft by time and channel, never its text
    draft = Draft.objects.get()
    assert draft.discarded_at is None
    assert draft.data == {"channel": ["chat"], "summary": ["Zij belt."]}


def test_answering_yes_discards_the_draft(counsellor, login):
    token = uuid.uuid4()
    draft_save(user=counsellor, token=token, data={"summary": ["Zij belt."]})
    response = login(counsellor).post(f"/contacts/drafts/{token}/discard/")
    assert response.status_code == 302
    assert response["Location"] == "/contacts/drafts/"
    draft = Draft.objects.get()
    assert draft.discarded_at is not None
    assert draft.data == {}


def test_counsellor_cannot_be_asked_about_a_colleagues_draft(counsellor, counsellor_b, login):
    token = uuid.uuid4()
    draft_save(user=counsellor_b, token=token, data={"summary": ["Van een collega."]})
    assert login(counsellor).get(f"/contacts/drafts/{token}/discard/").status_code == 404
    assert login(counsellor).post(f"/contacts/drafts/{token}/discard/").status_code == 302
    assert Draft.objects.get().discarded_at is None  # posting for someone else's token changes nothing


def test_an_already_discarded_draft_is_not_asked_about_again(counsellor, login):
    token = uuid.uuid4()
    draft_save(user=counsellor, token=token, data={"summary": ["Zij belt."]})
    client = login(counsellor)
    client.post(f"/contacts/drafts/{token}/discard/")
    assert client.get(f"/contacts/drafts/{token}/discard/").status_code == 404


def test_the_drafts_list_links_to_the_question_off_the_tab_path(counsellor, login):
    token = uuid.uuid4()
    draft_save(user=counsellor, token=token, data={"summary": ["Zij belt."]})
    page = login(counsellor).get("/contacts/drafts/").content.decode()
    assert f'<a href="/contacts/drafts/{token}/discard/" tabindex="-1">Weggooien…</a>' in page
    assert f'action="/contacts/drafts/{token}/discard/"' not in page  # no form in the list deletes at once
