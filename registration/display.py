"""How the registration screens show stored values: labels resolved in Python, Leeg for empty.

Field labels are the form's own (one place); code labels come from the code book.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from . import paging
from .codebook import CodeBook
from .conflict import PERSON_FIELDS, Change
from .form_state import initial_from_draft
from .forms import ContactForm, PersonForm
from .models import (
    CALLER_FIELDS,
    CONTACT_CODE_LISTS,
    CONTACT_MULTI_CODE_LISTS,
    HANDLING_CHOICES,
    HANDLING_FIELDS,
    HELPLINE_START,
    PERSON_CODE_LISTS,
    PERSON_MULTI_CODE_LISTS,
    Contact,
    ReportedPerson,
)
from .selectors import summary_of

CODE_LIST_OF = {**CONTACT_CODE_LISTS, **PERSON_CODE_LISTS}
MULTI_CODE_LIST_OF = {**CONTACT_MULTI_CODE_LISTS, **PERSON_MULTI_CODE_LISTS}
# The stored state names the date and time the way the model does; the form asks for them apart.
FORM_FIELD_OF = {"started_on": "started_date", "started_at": "started_time"}
# The detail page's registration rows after status, date, time and team.
DETAIL_FIELDS = ("duration_minutes", "channel", "caller_region", *CALLER_FIELDS, *HANDLING_FIELDS)
CALLER_ROLE_LABELS = {
    "victim": gettext_lazy("Mogelijk slachtoffer"),
    "perpetrator": gettext_lazy("Mogelijke dader"),
    "bystander": gettext_lazy("Omstaander"),
}
OPENING_HOURS_LABELS = {"within": gettext_lazy("Ja"), "outside": gettext_lazy("Neen")}
# The live screen's messages for its script, translated at render time.
SCREEN_TEXT = {
    "saved": gettext_lazy("Concept bewaard om"),
    "saving": gettext_lazy("Concept wordt bewaard…"),
    "offline": gettext_lazy("Niet bewaard: geen verbinding. Nieuwe poging over enkele seconden; alles blijft staan."),
    "expired": gettext_lazy(
        "Sessie verlopen: meld opnieuw aan om te bewaren. Alles blijft op het scherm; het aanmeldvenster"
        " opent zodra je even niet typt."
    ),
    "failed": gettext_lazy("Niet bewaard: de server gaf een fout. Nieuwe poging straks; alles blijft staan."),
    "stoppedForbidden": gettext_lazy(
        "Automatisch bewaren is gestopt: de server weigert dit concept (geen toegang meer)."
        " Alles blijft op het scherm; neem over wat je nodig hebt."
    ),
    "stoppedMissing": gettext_lazy(
        "Automatisch bewaren is gestopt: dit concept bestaat niet meer op de server."
        " Alles blijft op het scherm; neem over wat je nodig hebt."
    ),
    "removeQuestion": gettext_lazy("Gemelde persoon %(n)s verwijderen, met alles wat je voor die persoon invulde?"),
    "loginFailed": gettext_lazy(
        "Aanmelden mislukt. Controleer gebruikersnaam en wachtwoord, of meld aan in een nieuw venster."
    ),
    "registered": gettext_lazy("Dit concept is al als contact geregistreerd."),
    "added": gettext_lazy("Gemelde persoon toegevoegd."),
    "removed": gettext_lazy("Gemelde persoon verwijderd."),
    "noResults": gettext_lazy("Geen resultaten"),
    "submitting": gettext_lazy("Bezig met opslaan…"),
}


def field_label(name: str) -> str:
    """The label the form gives a field (a contact's or a reported person's)."""
    key = (get_language(), name)
    if key not in _field_labels:
        _field_labels[key] = _field_label(name)
    return _field_labels[key]


# field_label per language: the labels are the forms' fixed (lazily translated) ones.
_field_labels: dict[tuple[str | None, str], str] = {}


def _field_label(name: str) -> str:
    if name == "persons":
        return _("Gemelde personen")
    field = ContactForm.base_fields.get(FORM_FIELD_OF.get(name, name)) or PersonForm.base_fields.get(name)
    return str(field.label) if field else name


def code_label(book: CodeBook, list_name: str, value) -> str:
    if value in (None, ""):
        return _("Leeg")
    return book.label(list_name, value)


def field_display(book: CodeBook, name: str, value, *, teams: dict | None = None) -> str:
    """A stored value as the screen shows it (labels, Leeg for empty)."""
    if name in CODE_LIST_OF:
        return code_label(book, CODE_LIST_OF[name], value)
    if name in MULTI_CODE_LIST_OF:
        return ", ".join(code_label(book, MULTI_CODE_LIST_OF[name], v) for v in value) if value else _("Leeg")
    if value in (None, ""):
        return _("Leeg")
    if name in HANDLING_CHOICES:
        return str(HANDLING_CHOICES[name](value).label)
    if name == "team":
        return (teams or {}).get(value, value)
    if name == "follow_up_of":
        return str(value)[:8]
    return formats.localize(value)


def detail_rows(contact: Contact, book: CodeBook) -> list[tuple[str, str]]:
    local = contact.started_local
    return [
        (_("Status"), contact.get_status_display()),
        (field_label("started_on"), contact.started_on.strftime("%d/%m/%Y")),
        (field_label("started_at"), local.strftime("%H:%M") if local else _("Leeg")),
        (field_label("team"), contact.team.name if contact.team_id else _("Leeg")),
        *[(field_label(name), field_display(book, name, getattr(contact, name))) for name in DETAIL_FIELDS],
        (_("Rol contactnemer (afgeleid)"), str(CALLER_ROLE_LABELS.get(contact.caller_role, _("Onbekend")))),
        (
            _("Binnen openingsuren (afgeleid)"),
            str(OPENING_HOURS_LABELS.get(contact.within_opening_hours, _("Onbekend"))),
        ),
    ]


def person_rows(codes: dict[str, Any], book: CodeBook) -> list[tuple[str, str]]:
    """A reported person's rows from its codes (selectors.person_codes, or persons_codes_of)."""
    return [(field_label(name), field_display(book, name, value)) for name, value in codes.items()]


def persons_codes_of(contact: Contact) -> list[dict[str, Any]]:
    """The contact's reported persons' codes in their order, as selectors.person_codes gives them.

    Read as plain values, a query per table as the prefetch of contacts_with_registration does
    (none for the multi-choice lists when there is no person), without its model instances.
    """
    fields = tuple(PERSON_CODE_LISTS)
    # all_objects: the contact is a visible one, so not deleted (what the default manager adds).
    persons = list(ReportedPerson.all_objects.filter(contact_id=contact.pk).values_list("id", *fields))
    if not persons:
        return []
    ids = [row[0] for row in persons]
    multi: dict[str, dict[int, list[str]]] = {}
    for name in PERSON_MULTI_CODE_LISTS:
        rows = ReportedPerson._meta.get_field(name).related_model._default_manager.filter(person_id__in=ids)
        multi[name] = {}
        for person_id, code in rows.values_list("person_id", "code"):
            multi[name].setdefault(person_id, []).append(code)
    return [
        {**dict(zip(fields, row[1:], strict=True)), **{name: sorted(multi[name].get(row[0], ())) for name in multi}}
        for row in persons
    ]


def contact_page(contact: Contact) -> dict[str, Any]:
    """What the detail page shows of a registration: its rows, its persons' rows, its summary.

    The persons are read here (persons_codes_of), not prefetched with the contact.
    """
    book = CodeBook(contact.started_on)
    return {
        "rows": detail_rows(contact, book),
        "persons": [person_rows(codes, book) for codes in persons_codes_of(contact)],
        "summary": summary_of(contact),
    }


def contact_rows(contacts, book: CodeBook) -> list[dict[str, Any]]:
    """The list's rows, every cell already a string (None: Leeg), and each row's HTML.

    Labels come from the code book's index (a dict built once per request); dates, times, status
    labels and links are made here once per row instead of by template lookups and filters, which
    were most of the list's time at 50 rows. The persons' problems are read as plain values in one
    query (no person instances); the row's markup is made here too (`row_html`), escaped like the
    template's {{ }} would: the template prints one string per row.
    """
    contacts = list(contacts)
    channel_list, problem_list = CONTACT_CODE_LISTS["channel"], PERSON_CODE_LISTS["problem"]
    labels: dict[tuple[str, str], str] = {}

    def label(list_name: str, code: str) -> str:
        key = (list_name, code)
        if key not in labels:
            labels[key] = book.label(list_name, code)
        return labels[key]

    problems_of = person_problems([contact.pk for contact in contacts])
    statuses = {value: str(name) for value, name in Contact.Status.choices}
    numbers: dict[int, str] = {}
    zone = timezone.get_current_timezone()
    texts = {"leeg": escape(_("Leeg")), "open": escape(_("Openen"))}
    # One reverse() for the page: the detail link differs between rows only by the uuid.
    placeholder = "00000000-0000-0000-0000-000000000000"
    detail = reverse("registration:contact-detail", args=[placeholder])
    rows = []
    for contact in contacts:
        problems = [label(problem_list, code) if code else None for code in problems_of.get(contact.pk, ())]
        if len(problems) not in numbers:
            numbers[len(problems)] = formats.localize(len(problems))
        uuid = str(contact.uuid)
        row = {
            "date": contact.started_on.strftime("%d/%m/%Y"),
            # timezone.localtime(), its zone looked up once per page.
            "time": contact.started_at.astimezone(zone).strftime("%H:%M") if contact.started_at else "",
            "channel": label(channel_list, contact.channel) if contact.channel else None,
            "team": contact.team.name if contact.team_id else "",
            "status": statuses.get(contact.status, contact.status),
            "incomplete": contact.status == Contact.Status.INCOMPLETE,
            "problems": problems,
            "persons": numbers[len(problems)],
            "url": detail.replace(placeholder, uuid),
            "short": uuid[:8],
        }
        row["html"] = row_html(row, texts)
        rows.append(row)
    return rows


def person_problems(contact_ids: list[int]) -> dict[int, list[str | None]]:
    """Each contact's persons' problem codes, in the persons' order (no query for no contacts)."""
    problems: dict[int, list[str | None]] = {}
    if contact_ids:
        # all_objects: the contacts are already the visible, not deleted ones (as the list's prefetch was).
        persons = ReportedPerson.all_objects.filter(contact_id__in=contact_ids).values_list("contact_id", "problem")
        for contact_id, problem in persons:
            problems.setdefault(contact_id, []).append(problem)
    return problems


def row_html(row: dict[str, Any], texts: dict[str, str]) -> SafeString:
    """A row of the list's table, as contact_list.html printed it cell by cell (every value escaped)."""
    leeg = f'<span class="muted">{texts["leeg"]}</span>'
    channel = escape(row["channel"]) if row["channel"] else leeg
    status = escape(row["status"])
    if row["incomplete"]:
        status = f'<span class="badge warn">{status}</span>'
    problems = "; ".join(escape(problem) if problem else leeg for problem in row["problems"])
    date = escape(row["date"])
    return SafeString(
        "\n  <tr>"
        f"\n    <td>{date}</td>"
        f"\n    <td>{escape(row['time'] or '—')}</td>"
        f"\n    <td>{channel}</td>"
        f"\n    <td>{escape(row['team'] or '—')}</td>"
        f"\n    <td>{status}</td>"
        f'\n    <td class="num">{escape(row["persons"])}</td>'
        f"\n    <td>{problems}</td>"
        f'\n    <td><a href="{escape(row["url"])}">{texts["open"]}'
        f'<span class="visually-hidden"> {date} {escape(row["short"])}</span></a></td>'
        "\n  </tr>\n  "
    )


def page_counts(page) -> dict[str, str]:
    """The list's count and pager numbers, grouped the way the language writes them.

    The count is bounded (registration.paging): above the limit the list says "meer dan 10.000"
    and the pager shows the page's number without a total.
    """
    count, pages = page.paginator.count, page.paginator.num_pages
    if not getattr(page, "count_exact", True):
        limit = {"n": formats.number_format(paging.COUNT_LIMIT, force_grouping=True)}
        text = _("meer dan %(n)s contacten") % limit
    else:
        text = ngettext("%(n)s contact", "%(n)s contacten", count) % {
            "n": formats.number_format(count, force_grouping=True)
        }
    return {
        "count": text,
        "number": formats.number_format(page.number, force_grouping=True),
        "pages": formats.number_format(pages, force_grouping=True) if pages else "",
    }


def list_query(filters) -> str:
    """The applied filters as a query string for the pager's links: codes, dates and flags only."""
    if not filters.is_bound or not filters.is_valid():
        return ""
    return urlencode({name: "on" if value is True else value for name, value in filters.active_filters().items()})


def draft_summaries(drafts, book: CodeBook | None = None) -> list[dict]:
    """The rows of a "my open drafts" table: times, channel and number of persons; never free text.

    `book`: a code book holding the channels, when the caller has one (the list's filters do).
    """
    drafts = list(drafts)
    if not drafts:
        return []
    book = book or CodeBook(lists=[CONTACT_CODE_LISTS["channel"]])
    rows = []
    for draft in drafts:
        initial, persons = initial_from_draft(draft.data or {})
        channel = initial.get("channel") or ""
        rows.append(
            {
                "draft": draft,
                "channel": book.label(CONTACT_CODE_LISTS["channel"], channel) if channel else "",
                "persons": len(persons),
                "edits": draft.edits_id is not None,
            }
        )
    return rows


def form_errors(form, formset) -> list[tuple[str | None, str]]:
    """Every error of the form and its persons: (the field's id to jump to, the message)."""
    if not form.is_bound:
        return []
    errors = []
    for name, errs in form.errors.items():
        if name == "__all__":
            errors += [(None, e) for e in errs]
        else:
            errors += [(form[name].auto_id, f"{form[name].label}: {e}") for e in errs]
    for index, person_form in enumerate(formset.forms):
        for name, errs in person_form.errors.items():
            label = _("Gemelde persoon %(n)s") % {"n": index + 1}
            target = person_form[name].auto_id if name != "__all__" else None
            field_label = person_form[name].label if name != "__all__" else ""
            errors += [(target, f"{label} – {field_label}: {e}") for e in errs]
    errors += [(None, e) for e in formset.non_form_errors()]
    return errors


def screen_text() -> dict[str, str]:
    return {key: str(value) for key, value in SCREEN_TEXT.items()}


def screen_facts(book: CodeBook) -> dict[str, Any]:
    """What the page script needs to know: the first valid date, the days the code lists change."""
    return {"helplineStart": HELPLINE_START.isoformat(), "codeBoundaries": book.boundaries()}


def conflict_rows(changes: list[Change], *, day: date, teams: dict) -> list[dict]:
    """The conflict table: per changed field (a person's fields too), was, now, yours and what the screen holds."""
    book = CodeBook(day)
    rows = []
    for change in changes:
        if change.person is None:
            label = field_label(change.field)
        else:
            label = _("Gemelde persoon %(n)s") % {"n": change.person}
            if change.field != "persons":
                label = f"{label} – {field_label(change.field)}"
        if change.field == "summary":
            was, now, yours = "", _("(tekst gewijzigd)"), ""
        elif change.field == "persons":
            was, now, yours = (_person_text(book, p) for p in (change.was, change.now, change.yours))
            if change.event == "added":
                was, yours = _("(nog niet toegevoegd)"), _("(niet op je scherm)")
            elif change.event == "removed":
                now = _("(verwijderd)")
            else:
                yours = _("(door jou verwijderd)")
        else:
            values = (change.was, change.now, change.yours)
            was, now, yours = (field_display(book, change.field, value, teams=teams) for value in values)
        rows.append({"label": label, "was": was, "now": now, "yours": yours, "taken": change.taken})
    return rows


def _person_text(book: CodeBook, person: dict | None) -> str:
    """A reported person in one line: the labels of the fields that are filled."""
    if person is None:
        return ""
    shown = [field_display(book, name, person[name]) for name in PERSON_FIELDS if person[name]]
    return "; ".join(shown) or _("Leeg")
