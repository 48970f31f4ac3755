"""The English interface is complete: the catalogue has no gap, and English pages show no Dutch UI text.

test_i18n.py checks a few strings; these tests look at everything: every entry of the committed
catalogue, and every page a role opens on a working day (contacts, drafts, follow-up, the
coordinator's day, the Flemish overview, reports, team), rendered in English.
"""

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from followup.models import FollowUpItem, Kind
from registration.models import Team
from tests.factories import ContactFactory

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"

# Dutch words that no English sentence of this UI uses; whole words, case-insensitive. A Dutch
# string that never reached the catalogue (not gettext'd, or extracted but not yet translated)
# still shows up through them.
DUTCH_WORDS = re.compile(
    r"\b(de|het|een|van|niet|geen|nog|naar|wordt|worden|zijn|deze|dit|voor|bij|ook|kies|jouw|uw|"
    r"bewaren|bewaard|opvolging|opvolgpunt\w*|concepten?|contacten|gemelde|hulpverlener|regio|kanaal|"
    r"leeftijd|geregistreerd|registratie|afgesloten|binnengekomen|vandaag|totaal|aantal|periode|"
    r"maand|jaar|dag|geslacht|nieuwe|mijn|alle|enkel|zonder|terug|openen|verwijderen|wijzigen)\b",
    re.IGNORECASE,
)


def _entries(po_text: str) -> list[dict]:
    """The entries of a .po file: flags, msgid (with msgid_plural) and msgstr(s), continuation lines joined."""
    entries = []
    for block in re.split(r"\n\s*\n", po_text.strip()):
        entry = {"flags": set(), "msgid": None, "msgid_plural": None, "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                text = _unquote(line)
                if key == "msgstr":
                    entry["msgstr"][-1] += text
                else:
                    entry[key] += text
            else:
                keyword, _space, value = line.partition(" ")
                key = "msgstr" if keyword.startswith("msgstr") else keyword
                if key == "msgstr":
                    entry["msgstr"].append(_unquote(value))
                else:
                    entry[key] = _unquote(value)
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


def _unquote(quoted: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), quoted.strip()[1:-1])


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogue():
    """scripts/test.sh compiles the catalogue; do it here too when pytest runs on its own."""
    po, mo = CATALOGUE / "django.po", CATALOGUE / "django.mo"
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["en"], ignore_patterns=[".venv"], verbosity=0)


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    po_text = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    return [e for e in _entries(po_text) if e["msgid"]]  # without the header


def test_the_po_reader_sees_gaps_and_fuzzy_entries():
    po = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\nmsgid "Vandaag"\nmsgstr "Today"\n\n'
        '#: a.py:2\nmsgid ""\n"Deze "\n"week"\nmsgstr ""\n\n'
        '#: a.py:3\n#, fuzzy, python-format\nmsgid "Regio %(region)s"\nmsgstr "Region (phone menu)"\n\n'
        'msgid "%(n)s punt"\nmsgid_plural "%(n)s punten"\nmsgstr[0] "%(n)s item"\nmsgstr[1] ""\n\n'
        'msgid "Café “één”"\nmsgstr "Café \\"one\\""\n'
    )

    entries = {e["msgid"]: e for e in _entries(po)}

    assert entries["Vandaag"]["msgstr"] == ["Today"]
    assert entries["Deze week"]["msgstr"] == [""]
    assert "fuzzy" in entries["Regio %(region)s"]["flags"]
    assert entries["%(n)s punt"]["msgid_plural"] == "%(n)s punten"
    assert entries["%(n)s punt"]["msgstr"] == ["%(n)s item", ""]
    assert entries["Café “één”"]["msgstr"] == ['Café "one"']


def test_every_catalogue_entry_has_an_english_translation(catalogue):
    gaps = [e["msgid"] for e in catalogue if not all(e["msgstr"]) or "fuzzy" in e["flags"]]

    assert len(catalogue) > 500
    assert gaps == [], f"{len(gaps)} untranslated or fuzzy entries in locale/en: {gaps[:10]}"


def test_translations_keep_their_placeholders(catalogue):
    placeholder = re.compile(r"%\(\w+\)[sdi]|%[sdi]|\{\w*\}")
    wrong = []
    for e in catalogue:
        sources = [e["msgid"], e["msgid_plural"] or e["msgid"]]
        for source, translation in zip(sources * len(e["msgstr"]), e["msgstr"], strict=False):
            if sorted(placeholder.findall(source)) != sorted(placeholder.findall(translation)):
                wrong.append((source, translation))

    assert wrong == []


def _visible_text(page: str) -> str:
    """The text a reader sees (and a screen reader hears): no markup, scripts, styles or JSON."""
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    labels = " ".join(re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', page))
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(f"{text} {labels}")


def _dutch_on(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert '<html lang="en">' in response.content.decode()
    text = _visible_text(response.content.decode())
    return sorted({m.group(0) for m in DUTCH_WORDS.finditer(text)})


def test_the_dutch_word_check_finds_dutch_and_passes_english():
    assert DUTCH_WORDS.findall(_visible_text("<p>Geen afgesloten punten.</p>")) == ["Geen", "afgesloten"]
    assert DUTCH_WORDS.findall(_visible_text('<a aria-label="Team kiezen">x</a>')) == []
    assert DUTCH_WORDS.findall(_visible_text('<nav aria-label="Terug naar de opvolging"></nav>')) == [
        "Terug",
        "naar",
        "de",
        "opvolging",
    ]
    assert DUTCH_WORDS.findall(_visible_text("<p>No closed items. Back to follow-up.</p>")) == []


@pytest.fixture
def working_day(db, counsellor):
    """A contact and an open follow-up item in the counsellor's team, so lists and details have rows."""
    antwerpen = Team.objects.get(code="antwerpen")
    contact = ContactFactory(team=antwerpen, duration_minutes=12, created_by=counsellor)
    item = FollowUpItem.objects.create(
        team=antwerpen, kind=Kind.VOICEMAIL, due_on=timezone.localdate() - timedelta(days=1)
    )
    return {"contact": contact, "item": item}


def _in_english(login, user):
    client = login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


@pytest.mark.django_db
def test_the_counsellors_pages_show_no_dutch_in_english(login, counsellor, working_day):
    client = _in_english(login, counsellor)
    contact, item = working_day["contact"], working_day["item"]
    urls = [
        reverse("registration:contact-list"),
        reverse("registration:contact-new"),
        reverse("registration:draft-list"),
        reverse("registration:contact-detail", args=[contact.uuid]),
        reverse("registration:contact-edit", args=[contact.uuid]),
        reverse("followup:queue"),
        reverse("followup:queue") + "?state=closed",
        reverse("followup:item-new"),
        reverse("followup:item-detail", args=[item.uuid]),
        reverse("accounts:backup-codes"),
        reverse("accounts:otp-verify"),
        reverse("accounts:password-change"),
    ]

    found = {url: _dutch_on(client, url) for url in urls}

    assert {url: words for url, words in found.items() if words} == {}


@pytest.mark.django_db
def test_the_team_coordinators_pages_show_no_dutch_in_english(login, coordinator, working_day):
    client = _in_english(login, coordinator)
    urls = [
        reverse("dashboard:team"),
        reverse("followup:item-detail", args=[working_day["item"].uuid]),
        reverse("team:list"),
        reverse("team:invite"),
        reverse("team:access", args=["antwerpen"]),
        reverse("team:grant-add", args=["antwerpen"]),
        reverse("audit:trail"),
        reverse("reports:report"),
    ]

    found = {url: _dutch_on(client, url) for url in urls}

    assert {url: words for url, words in found.items() if words} == {}


@pytest.mark.django_db
def test_the_flemish_coordinators_pages_show_no_dutch_in_english(login, flemish_coordinator):
    client = _in_english(login, flemish_coordinator)

    assert _dutch_on(client, reverse("dashboard:teams")) == []
    assert _dutch_on(client, reverse("team:coordinators")) == []


@pytest.mark.django_db
def test_the_login_page_shows_no_dutch_in_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert _dutch_on(client, reverse("login")) == []


@pytest.mark.django_db
def test_the_flemish_coordinators_report_shows_no_dutch_in_english(login, flemish_coordinator):
    client = _in_english(login, flemish_coordinator)

    assert _dutch_on(client, reverse("reports:report")) == []
