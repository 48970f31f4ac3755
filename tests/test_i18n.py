"""The UI is Dutch by default; the language switch in the top bar gives the English translation."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import override

from registration.models import Team
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    """scripts/test.sh compiles the catalogue; do it here too when pytest runs on its own."""
    po, mo = CATALOGUE / "django.po", CATALOGUE / "django.mo"
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["en"], ignore_patterns=[".venv"], verbosity=0)


def test_contact_list_is_dutch_by_default(login, counsellor):
    client = login(counsellor)

    response = client.get(reverse("registration:contact-list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl-be">' in html
    assert "<h1>Contacten</h1>" in html
    assert ">Nieuwe registratie</a>" in html
    assert ">Mijn concepten</a>" in html
    assert "New registration" not in html


def test_counsellor_switches_the_contact_list_to_english(login, counsellor):
    client = login(counsellor)
    contact_list = reverse("registration:contact-list")

    switched = client.post(reverse("set_language"), {"language": "en", "next": contact_list})
    response = client.get(contact_list)

    assert switched.status_code == 302
    assert switched.headers["Location"] == contact_list
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Contacts</h1>" in html
    assert ">New registration</a>" in html
    assert ">My drafts</a>" in html
    assert ">Log out</button>" in html
    assert "Nieuwe registratie" not in html
    assert "Contacten" not in html


def test_contact_detail_labels_follow_the_language_of_each_request(login, counsellor):
    contact = ContactFactory(team=Team.objects.get(code="antwerpen"), duration_minutes=25)
    client = login(counsellor)
    detail = reverse("registration:contact-detail", args=[contact.uuid])

    dutch = client.get(detail).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": detail})
    english = client.get(detail).content.decode()

    assert "Duur (minuten)" in dutch
    assert "Leeftijd contactnemer" in dutch
    assert "Duration (minutes)" in english
    assert "Caller age" in english
    assert "Duur (minuten)" not in english
    assert "Leeftijd contactnemer" not in english


def test_english_catalogue_keeps_plural_forms_and_placeholders():
    from django.utils.translation import gettext, ngettext

    with override("en"):
        assert ngettext("%(n)s contact", "%(n)s contacten", 1) % {"n": 1} == "1 contact"
        assert ngettext("%(n)s contact", "%(n)s contacten", 3) % {"n": 3} == "3 contacts"
        assert gettext("Pagina %(n)s van %(total)s") % {"n": 2, "total": 5} == "Page 2 of 5"
    with override("nl-be"):
        assert ngettext("%(n)s contact", "%(n)s contacten", 3) % {"n": 3} == "3 contacten"
