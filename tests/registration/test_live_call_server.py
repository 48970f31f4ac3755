"""Issue 10, the server side of the live-call screen: search words as data, a fast double save,
a page shown from history after its save, person changes in the conflict view."""

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client

from referrals.models import Referral
from registration import services
from registration.models import Code, Contact, Draft, ViolenceForm
from tests.factories import ReportedPersonFactory, UserFactory

from .test_views import form_data

ROOT = Path(__file__).resolve().parents[2]
NEW = "/contacts/new/"


# ---------------------------------------------------------------------------- search words (point 2)


@pytest.mark.django_db
def test_migration_fills_search_words_and_english_groups_for_the_typeahead_lists():
    parent = Code.objects.get(list="caller_relation", code="1200")
    for word in ("moeder", "vader", "stiefmoeder", "stiefvader", "stiefouder", "mama", "papa", "ouder"):
        assert word in [w.strip() for w in parent.search_nl.split(",")], word
    assert "mother" in parent.search_en
    assert parent.group_en == "Person from the victim's environment"
    teacher = Code.objects.get(list="caller_relation", code="3100")
    assert {"leerkracht", "juf", "meester", "school"} <= {w.strip() for w in teacher.search_nl.split(",")}
    lists = ("caller_relation", "problem", "context", "violence_forms", "referrals")
    assert not Code.objects.filter(list__in=lists, search_nl="").exists()
    assert not Code.objects.filter(list__in=lists, search_en="").exists()


@pytest.mark.django_db
def test_options_carry_their_search_words_and_groups_in_the_request_language(counsellor, login):
    client = login(counsellor)
    page = client.get(NEW).content.decode()
    assert 'data-search="(stief)ouder(s) van het slachtoffer' in page
    assert '<optgroup label="Persoon uit de omgeving van het slachtoffer">' in page
    client.post("/i18n/setlang/", {"language": "en", "next": NEW})
    english = client.get(NEW).content.decode()
    assert '<optgroup label="Person from the victim&#x27;s environment">' in english
    assert "1200 (step)parent(s) of the victim" in english


@pytest.mark.django_db
def test_search_words_are_edited_and_searched_in_the_admin(administrator, login):
    client = login(administrator)
    code = Code.objects.get(list="caller_relation", code="1700")
    page = client.get(f"/admin/registration/code/{code.pk}/change/").content.decode()
    assert 'name="search_nl"' in page and 'name="search_en"' in page and 'name="group_en"' in page
    found = client.get("/admin/registration/code/", {"q": "stiefmoeder"}).context["cl"].result_list
    assert sorted((c.list, c.code) for c in found) == [("caller_relation", "1200"), ("caller_relation", "2200")]


# ---------------------------------------------------------------------------- double save (point 7)


def post_twice(make_client, data: dict, *, hold: float = 0.3) -> list:
    """Two saves of the same form about 50 ms apart, the first held inside its transaction.

    Returns both answers (a response, or the exception the request raised).
    """
    barrier = threading.Barrier(2)
    answers: list = [None, None]
    apply = services._apply

    def held_apply(contact, data):
        apply(contact, data)
        time.sleep(hold)  # the first save is still writing when the second arrives

    def press(index: int) -> None:
        client = make_client()
        try:
            barrier.wait()
            time.sleep(0.05 * index)
            answers[index] = client.post(NEW, data)
        except Exception as exc:  # noqa: BLE001 - the crash page is what the test looks for
            answers[index] = exc
        finally:
            connection.close()

    with mock.patch.object(services, "_apply", held_apply):
        threads = [threading.Thread(target=press, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    return answers


def describe(answers: list) -> list:
    return [(a.status_code, a.headers.get("Location")) if hasattr(a, "status_code") else repr(a) for a in answers]


def sqlite_double_save() -> None:
    """Run in a subprocess on a SQLite file (the embedded default): prints what both saves answered."""
    from django.core.management import call_command

    from accounts.models import Role
    from tests.conftest import verify_two_factor
    from tests.factories import UserFactory

    call_command("migrate", verbosity=0)
    user = UserFactory(username="counsellor_a", role=Role.COUNSELLOR, teams=["antwerpen"])
    first = Client()
    first.force_login(user)
    verify_two_factor(first, user)

    def make_client():
        client = Client()
        client.cookies = first.cookies
        return client

    answers = post_twice(make_client, form_data(token=str(uuid.uuid4())))
    print(json.dumps({"answers": describe(answers), "contacts": Contact.objects.count()}))


def test_a_double_save_on_the_embedded_sqlite_answers_like_the_first(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "helpline.settings_test",
    }
    env.pop("REDIS_URL", None)
    script = (
        "import django; django.setup(); "
        "from tests.registration.test_live_call_server import sqlite_double_save; sqlite_double_save()"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["contacts"] == 1
    first, second = result["answers"]
    assert first[0] == 302 and first[1].startswith("/contacts/"), result
    assert second == first, result


@pytest.mark.postgres  # row locks across connections
@pytest.mark.django_db(transaction=True)
def test_a_double_save_on_postgresql_answers_like_the_first(counsellor, login):
    first = login(counsellor)

    def make_client():
        client = Client()
        client.cookies = first.cookies
        return client

    answers = post_twice(make_client, form_data(token=str(uuid.uuid4())))
    described = describe(answers)
    assert Contact.objects.count() == 1
    contact = Contact.objects.get()
    assert described == [(302, f"/contacts/{contact.uuid}/")] * 2
    assert Draft.objects.get().registered == contact


# ---------------------------------------------------------------------------- shown again from history (point 6)


@pytest.mark.django_db
def test_a_saved_drafts_address_says_it_was_saved_and_offers_the_contact(counsellor, login):
    client = login(counsellor)
    token = uuid.uuid4()
    assert client.post(NEW, form_data(token=str(token))).status_code == 302
    contact = Contact.objects.get()
    page = client.get(f"/contacts/drafts/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Dit contact is al bewaard" in html
    assert f'<a class="button" id="open-registered" href="/contacts/{contact.uuid}/" autofocus>' in html
    assert 'id="registration-form"' not in html


@pytest.mark.django_db
def test_another_users_saved_draft_stays_hidden(counsellor, login):
    colleague = UserFactory(teams=["antwerpen"])
    token = uuid.uuid4()
    login(colleague).post(NEW, form_data(token=str(token)))
    assert Draft.objects.get().registered is not None
    assert login(counsellor).get(f"/contacts/drafts/{token}/").status_code == 404


# ---------------------------------------------------------------------------- conflict view (point 8)


def posted(form, formset) -> dict:
    """The form as the browser would send it back (what is on the screen)."""
    data = {"persons-TOTAL_FORMS": str(formset.total_form_count()), "persons-INITIAL_FORMS": "0"}
    for bound in [*form, *(b for person in formset.forms for b in person)]:
        value = bound.value()
        if value is not None:
            data[bound.html_name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def colleague_saves(contact: Contact, *, forms=(), referrals=(), new_person: dict | None = None) -> None:
    """A colleague's save in between: adds forms of violence / referrals to person 1, maybe a person."""
    person = contact.persons.get(position=0)
    for code in forms:
        ViolenceForm.objects.create(person=person, code=code)
    for code in referrals:
        Referral.objects.create(person=person, code=code)
    if new_person is not None:
        ReportedPersonFactory(contact=contact, position=1, **new_person)
    Contact.objects.filter(pk=contact.pk).update(version=F("version") + 1)


@pytest.mark.django_db
def test_conflict_shows_a_colleagues_added_form_and_keeps_it_on_the_screen(counsellor, login):
    client = login(counsellor)
    client.post(NEW, form_data())
    contact = Contact.objects.get()
    page = client.get(f"/contacts/{contact.uuid}/edit/")
    mine = posted(page.context["form"], page.context["formset"])
    mine["channel"] = "chat"

    colleague_saves(
        contact,
        forms=["sexual_violence"],
        referrals=["police_justice"],
        new_person={"gender": "male", "age": "13_17", "violence_forms": ["other"]},
    )
    response = client.post(f"/contacts/{contact.uuid}/edit/", mine)
    assert response.status_code == 409
    assert response.context["conflict"] == [
        {
            "label": "Gemelde persoon 1 – Vormen van geweld",
            "was": "Emotioneel geweld, Lichamelijk geweld",
            "now": "Emotioneel geweld, Lichamelijk geweld, Seksueel geweld",
            "yours": "Emotioneel geweld, Lichamelijk geweld",
            "taken": True,
        },
        {
            "label": "Gemelde persoon 1 – Doorverwijzingen",
            "was": "CAW",
            "now": "CAW, Politie/justitie",
            "yours": "CAW",
            "taken": True,
        },
        {
            "label": "Gemelde persoon 2",
            "was": "(nog niet toegevoegd)",
            "now": "Man; 13–17 jaar; Andere",
            "yours": "(niet op je scherm)",
            "taken": True,
        },
    ]
    html = response.content.decode()
    assert "Gemelde persoon 1 – Vormen van geweld" in html and "overgenomen van je collega" in html

    # Saving what is now on the screen keeps the colleague's changes and the user's own.
    again = posted(response.context["form"], response.context["formset"])
    assert client.post(f"/contacts/{contact.uuid}/edit/", again).status_code == 302
    contact.refresh_from_db()
    assert contact.channel == "chat"
    first, second = contact.persons.order_by("position")
    assert sorted(first.violence_forms.values_list("code", flat=True)) == [
        "emotional_violence",
        "physical_violence",
        "sexual_violence",
    ]
    assert sorted(first.referrals.values_list("code", flat=True)) == ["caw", "police_justice"]
    assert (second.gender, second.age, list(second.violence_forms.values_list("code", flat=True))) == (
        "male",
        "13_17",
        ["other"],
    )


@pytest.mark.django_db
def test_where_both_changed_a_persons_field_the_users_input_stays_and_both_are_shown(counsellor, login):
    client = login(counsellor)
    client.post(NEW, form_data())
    contact = Contact.objects.get()
    page = client.get(f"/contacts/{contact.uuid}/edit/")
    mine = posted(page.context["form"], page.context["formset"])
    mine["persons-0-violence_forms"] = ["economic_violence"]

    colleague_saves(contact, forms=["sexual_violence"])
    response = client.post(f"/contacts/{contact.uuid}/edit/", mine)
    assert response.status_code == 409
    assert response.context["conflict"] == [
        {
            "label": "Gemelde persoon 1 – Vormen van geweld",
            "was": "Emotioneel geweld, Lichamelijk geweld",
            "now": "Emotioneel geweld, Lichamelijk geweld, Seksueel geweld",
            "yours": "Economisch geweld",
            "taken": False,
        }
    ]
    assert response.context["formset"].forms[0]["violence_forms"].value() == ["economic_violence"]


@pytest.mark.django_db
def test_a_person_the_colleague_removed_and_the_user_left_alone_is_removed_on_the_screen(counsellor, login):
    client = login(counsellor)
    client.post(NEW, form_data())
    contact = Contact.objects.get()
    page = client.get(f"/contacts/{contact.uuid}/edit/")
    mine = posted(page.context["form"], page.context["formset"])
    mine["channel"] = "email"

    contact.persons.get().delete()
    Contact.objects.filter(pk=contact.pk).update(version=F("version") + 1)
    response = client.post(f"/contacts/{contact.uuid}/edit/", mine)
    assert response.status_code == 409
    [row] = response.context["conflict"]
    assert (row["label"], row["now"], row["taken"]) == ("Gemelde persoon 1", "(verwijderd)", True)
    again = posted(response.context["form"], response.context["formset"])
    assert again["persons-0-DELETE"] == "True"
    assert client.post(f"/contacts/{contact.uuid}/edit/", again).status_code == 302
    contact.refresh_from_db()
    assert (contact.channel, contact.persons.count()) == ("email", 0)
