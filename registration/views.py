"""Registration screens: list, detail, the live-call form (new / edit), drafts.

Every contact is read through `contacts_visible_to(request.user)`; URLs carry uuids only.
"""

from __future__ import annotations

import json
import uuid as uuid_lib
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import audit_event

from . import services
from .forms import (
    CodeBook,
    ContactFilterForm,
    build_forms,
    initial_from_contact,
    initial_from_draft,
    registration_input,
    sign_state,
)
from .models import Code, Contact, Draft, ReportedPerson, RiskLevel, YesNoUnknown
from .selectors import contacts_visible_to

DETAIL_PREFETCH = [
    Prefetch("persons", queryset=ReportedPerson.objects.prefetch_related("violence_forms", "referrals")),
]
# Keys a browser may store in a draft: the form's own fields, nothing else.
DRAFT_MAX_VALUE = 20_000
DRAFT_MAX_KEYS = 2_000


# ---------------------------------------------------------------------------- list


@login_required
@require_GET
def contact_list(request):
    filters = ContactFilterForm(request.GET or None, user=request.user)
    contacts = contacts_visible_to(request.user).select_related("team")
    active: dict[str, Any] = {}
    if filters.is_bound and filters.is_valid():
        active = filters.active_filters()
        data = filters.cleaned_data
        contacts = contacts.in_period(data.get("date_from"), data.get("date_to"))
        if data.get("channel"):
            contacts = contacts.filter(channel=data["channel"])
        if data.get("team"):
            contacts = contacts.filter(team__code=data["team"])
        if data.get("incomplete"):
            contacts = contacts.filter(status=Contact.Status.INCOMPLETE)
        if data.get("problem"):
            contacts = contacts.filter(
                Exists(ReportedPerson.objects.filter(contact=OuterRef("pk"), problem=data["problem"]))
            )
    elif filters.is_bound:
        contacts = contacts.none()
    contacts = contacts.order_by("-started_on", "-started_at", "-id").prefetch_related(
        Prefetch("persons", queryset=ReportedPerson.objects.only("id", "contact_id", "problem", "position"))
    )
    paginator = Paginator(contacts, settings.CONTACTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    if active:
        # The contacts the search showed, so the search appears in each of their trails.
        audit_event(
            request.user,
            "contact_search",
            contact_ids=[contact.pk for contact in page],
            details={**active, "page": page.number},
        )
    query = request.GET.copy()
    query.pop("page", None)
    drafts = Draft.objects.owned_by(request.user).open()[:10]
    return render(
        request,
        "registration/contact_list.html",
        {
            "filters": filters,
            "page": page,
            "labels": filters.labels,
            "query": query.urlencode(),
            "drafts": draft_summaries(drafts),
        },
    )


def draft_summaries(drafts) -> list[dict]:
    """The rows of a "my open drafts" table (one query for the channel labels)."""
    drafts = list(drafts)
    if not drafts:
        return []
    labels = {c.code: c.label for c in Code.objects.of_list("channel")}
    rows = [draft_summary(d) for d in drafts]
    for row in rows:
        row["channel"] = labels.get(row["channel"], row["channel"])
    return rows


def draft_summary(draft: Draft) -> dict:
    """What a draft list shows: times, channel and number of persons; never free text."""
    initial, persons = initial_from_draft(draft.data or {})
    return {
        "draft": draft,
        "channel": initial.get("channel") or "",
        "persons": len(persons),
        "edits": draft.edits_id is not None,
    }


# ---------------------------------------------------------------------------- detail


@login_required
@require_GET
def contact_detail(request, uuid):
    contact = get_object_or_404(
        contacts_visible_to(request.user)
        .select_related("team", "follow_up_of", "text")
        .prefetch_related(*DETAIL_PREFETCH),
        uuid=uuid,
    )
    audit_event(request.user, "contact_view", contact_ids=[contact.pk])
    book = CodeBook(contact.started_on)
    follow_ups = list(contacts_visible_to(request.user).filter(follow_up_of=contact).only("uuid", "started_on"))
    follow_up_of = contact.follow_up_of
    if follow_up_of and not contacts_visible_to(request.user).filter(pk=follow_up_of.pk).exists():
        follow_up_of = None
    return render(
        request,
        "registration/contact_detail.html",
        {
            "contact": contact,
            "rows": detail_rows(contact, book),
            "persons": [person_rows(p, book) for p in contact.persons.all()],
            "summary": contact.text.summary if services._has_text(contact) else "",
            "follow_ups": follow_ups,
            "follow_up_of": follow_up_of,
            "can_edit": services.can_edit(request.user, contact),
        },
    )


def code_label(book: CodeBook, list_name: str, value) -> str:
    if value in (None, ""):
        return _("Leeg")
    code = book.find(list_name, value)
    return code.label if code else str(value)


CONTACT_LIST_OF = {
    "channel": "channel",
    "caller_region": "caller_region",
    "caller_age": "caller_age",
    "caller_gender": "caller_gender",
    "anonymous": "anonymous",
    "caller_relation": "caller_relation",
}
CHOICE_LABELS = {
    "concerning": YesNoUnknown,
    "help_involved": YesNoUnknown,
    "justice_involved": YesNoUnknown,
    "manifest_safety_risk": YesNoUnknown,
    "new_contact_expected": YesNoUnknown,
    "risk_level": RiskLevel,
}


def field_display(book: CodeBook, name: str, value, *, teams: dict | None = None) -> str:
    """A stored value as the screen shows it (labels, Leeg for empty)."""
    if name in CONTACT_LIST_OF:
        return code_label(book, CONTACT_LIST_OF[name], value)
    if name in CHOICE_LABELS:
        return str(CHOICE_LABELS[name](value).label) if value else _("Leeg")
    if name == "actions":
        return ", ".join(code_label(book, "handling_action", v) for v in value) if value else _("Leeg")
    if name == "team":
        return (teams or {}).get(value, value) if value else _("Leeg")
    if name == "follow_up_of":
        return str(value)[:8] if value else _("Leeg")
    if value in (None, ""):
        return _("Leeg")
    return str(value)


# Lazy: built at import, translated per request (the language is only known then).
FIELD_LABELS = {
    "started_on": gettext_lazy("Datum"),
    "started_at": gettext_lazy("Beginuur"),
    "duration_minutes": gettext_lazy("Duur (minuten)"),
    "channel": gettext_lazy("Kanaal"),
    "team": gettext_lazy("Team"),
    "caller_region": gettext_lazy("Regio (keuzemenu)"),
    "caller_age": gettext_lazy("Leeftijd contactnemer"),
    "caller_gender": gettext_lazy("Gender contactnemer"),
    "anonymous": gettext_lazy("Anoniem"),
    "caller_relation": gettext_lazy("Relatie tot het slachtoffer"),
    "follow_up_of": gettext_lazy("Opvolging van"),
    "concerning": gettext_lazy("Verontrustend"),
    "risk_level": gettext_lazy("Risico"),
    "help_involved": gettext_lazy("Hulpverlening al betrokken"),
    "justice_involved": gettext_lazy("Justitie al betrokken"),
    "manifest_safety_risk": gettext_lazy("Manifest veiligheidsrisico"),
    "actions": gettext_lazy("Acties"),
    "new_contact_expected": gettext_lazy("Nieuw contact verwacht"),
    "summary": gettext_lazy("Samenvatting"),
    "persons": gettext_lazy("Gemelde personen"),
}


def detail_rows(contact: Contact, book: CodeBook) -> list[tuple[str, str]]:
    local = contact.started_local
    rows = [
        (_("Status"), contact.get_status_display()),
        (_("Datum"), contact.started_on.strftime("%d/%m/%Y")),
        (_("Beginuur"), local.strftime("%H:%M") if local else _("Leeg")),
        (_("Team"), contact.team.name if contact.team_id else _("Leeg")),
    ]
    for name in [
        "duration_minutes",
        "channel",
        "caller_region",
        "caller_age",
        "caller_gender",
        "anonymous",
        "caller_relation",
        "concerning",
        "risk_level",
        "help_involved",
        "justice_involved",
        "manifest_safety_risk",
        "actions",
        "new_contact_expected",
    ]:
        rows.append((FIELD_LABELS[name], field_display(book, name, getattr(contact, name))))
    rows.append(
        (
            _("Rol contactnemer (afgeleid)"),
            {
                "victim": _("Mogelijk slachtoffer"),
                "perpetrator": _("Mogelijke dader"),
                "bystander": _("Omstaander"),
            }.get(contact.caller_role, _("Onbekend")),
        )
    )
    rows.append(
        (
            _("Binnen openingsuren (afgeleid)"),
            {"within": _("Ja"), "outside": _("Neen")}.get(contact.within_opening_hours, _("Onbekend")),
        )
    )
    return rows


def person_rows(person: ReportedPerson, book: CodeBook) -> list[tuple[str, str]]:
    vf = [code_label(book, "violence_forms", v.code) for v in person.violence_forms.all()]
    refs = [code_label(book, "referrals", r.code) for r in person.referrals.all()]
    return [
        (_("Gender"), code_label(book, "person_gender", person.gender)),
        (_("Leeftijd"), code_label(book, "person_age", person.age)),
        (_("Belangrijkste problematiek"), code_label(book, "problem", person.problem)),
        (_("Context"), code_label(book, "context", person.context)),
        (_("Vormen van geweld"), ", ".join(vf) or _("Leeg")),
        (_("Doorverwijzingen"), ", ".join(refs) or _("Leeg")),
    ]


# ---------------------------------------------------------------------------- the form


def _render_form(request, form, formset, *, contact=None, status=200, conflict=None, draft_token=None):
    token = draft_token or (form["token"].value() if form.is_bound else form.initial.get("token"))
    errors = []
    if form.is_bound:
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
    return render(
        request,
        "registration/contact_form.html",
        {
            "form": form,
            "formset": formset,
            "contact": contact,
            "errors": errors,
            "conflict": conflict,
            "token": token,
            "i18n": _ScreenText(),
            "code_boundaries": form.book.boundaries(),
            "resume_url": reverse("registration:draft-resume", args=[token]) if token else "",
            "autosave_url": reverse("registration:draft-autosave", args=[token]) if token else "",
            "drafts": draft_summaries(Draft.objects.owned_by(request.user).open().exclude(token=token)[:5])
            if token
            else [],
        },
        status=status,
    )


class _ScreenText(dict):
    """The live screen's messages for its script, translated at render time."""

    MESSAGES = {
        "saved": gettext_lazy("Concept bewaard om"),
        "saving": gettext_lazy("Concept wordt bewaard…"),
        "offline": gettext_lazy(
            "Niet bewaard: geen verbinding. Nieuwe poging over enkele seconden; alles blijft staan."
        ),
        "expired": gettext_lazy("Sessie verlopen: meld opnieuw aan om te bewaren. Alles blijft op het scherm."),
        "loginFailed": gettext_lazy(
            "Aanmelden mislukt. Controleer gebruikersnaam en wachtwoord, of meld aan in een nieuw venster."
        ),
        "registered": gettext_lazy("Dit concept is al als contact geregistreerd."),
        "added": gettext_lazy("Gemelde persoon toegevoegd."),
        "removed": gettext_lazy("Gemelde persoon verwijderd."),
        "noResults": gettext_lazy("Geen resultaten"),
        "submitting": gettext_lazy("Bezig met opslaan…"),
    }

    def __init__(self):
        super().__init__({key: str(value) for key, value in self.MESSAGES.items()})


def _new_initial(request) -> dict:
    now = timezone.localtime()
    initial = {
        "token": uuid_lib.uuid4(),
        "started_date": now.date(),
        "started_time": now.time().replace(second=0, microsecond=0),
    }
    team = request.user.default_team()
    if team is not None:
        initial["team"] = team.code
    follow = request.GET.get("follow_up_of")
    if follow:
        try:
            target = contacts_visible_to(request.user).filter(uuid=uuid_lib.UUID(follow)).first()
        except ValueError:
            target = None
        if target is not None:
            initial["follow_up_of"] = str(target.uuid)
    return initial


def _token(raw) -> uuid_lib.UUID | None:
    try:
        return uuid_lib.UUID(str(raw)) if raw else None
    except ValueError:
        return None


def _draft_state(post) -> dict:
    """A POST as a draft's state (the csrf token is not part of what the user typed)."""
    return {key: post.getlist(key) for key in post if key != "csrfmiddlewaretoken"}


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request):
    if request.method == "GET":
        form, formset = build_forms(request.user, initial=_new_initial(request))
        return _render_form(request, form, formset)

    form, formset = build_forms(request.user, data=request.POST)
    form_ok = form.is_valid()
    formset_ok = formset.is_valid()
    token = _token(request.POST.get("token"))
    if not (form_ok and formset_ok):
        if token:
            try:
                services.draft_save(user=request.user, token=token, data=_draft_state(request.POST))
            except Draft.DoesNotExist:
                pass
        return _render_form(request, form, formset, status=400)
    try:
        contact = services.contact_register(user=request.user, data=registration_input(form, formset), token=token)
    except Draft.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("Het contact is geregistreerd."))
    return redirect("registration:contact-detail", uuid=contact.uuid)


def _editable_contact(request, uuid) -> Contact:
    contact = get_object_or_404(
        contacts_visible_to(request.user)
        .select_related("team", "follow_up_of", "text")
        .prefetch_related(*DETAIL_PREFETCH),
        uuid=uuid,
    )
    if not services.can_edit(request.user, contact):
        raise PermissionDenied
    return contact


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, uuid):
    contact = _editable_contact(request, uuid)
    if request.method == "GET":
        initial, persons = initial_from_contact(contact)
        initial["token"] = uuid_lib.uuid4()
        initial["base"] = sign_state(services.contact_state(contact))
        form, formset = build_forms(
            request.user, initial=initial, persons_initial=persons, contact=contact, default_day=contact.started_on
        )
        return _render_form(request, form, formset, contact=contact)

    form, formset = build_forms(request.user, data=request.POST, contact=contact, default_day=contact.started_on)
    if not (form.is_valid() and formset.is_valid()):
        token = _token(request.POST.get("token"))
        if token:
            try:
                services.draft_save(user=request.user, token=token, data=_draft_state(request.POST), edits=contact)
            except Draft.DoesNotExist:
                pass
        return _render_form(request, form, formset, contact=contact, status=400)
    data = registration_input(form, formset)
    version = form.cleaned_data.get("version") or 0
    try:
        contact = services.contact_update(user=request.user, contact=contact, version=version, data=data)
    except services.ConcurrentEdit as conflict:
        current = conflict.current_state
        if services.input_state(data, current) == _comparable(current):
            # The same save arrived twice (a double click, a retry): it is already stored.
            return redirect("registration:contact-detail", uuid=contact.uuid)
        changes = conflict_changes(form, conflict, data)
        fresh = request.POST.copy()
        fresh["version"] = str(conflict.contact.version)
        fresh["base"] = sign_state(current)
        form, formset = build_forms(request.user, data=fresh, contact=contact, default_day=contact.started_on)
        form.is_valid()
        formset.is_valid()
        return _render_form(request, form, formset, contact=contact, status=409, conflict=changes)
    messages.success(request, _("De wijzigingen zijn bewaard."))
    return redirect("registration:contact-detail", uuid=contact.uuid)


def _comparable(state: dict) -> dict:
    out = dict(state)
    out["persons"] = [{k: v for k, v in p.items() if k != "uuid"} for p in state.get("persons", [])]
    return out


def conflict_changes(form, conflict: services.ConcurrentEdit, data) -> list[dict]:
    """What a colleague changed since the user opened the form: field, was, now, yours."""
    current = conflict.current_state
    base = form.base_state()
    yours = services.input_state(data, current)
    book = CodeBook(conflict.contact.started_on)
    teams = dict(form.fields["team"].choices)
    rows = []
    for name, now in current.items():
        if name == "persons":
            continue
        was = base.get(name) if base else None
        changed = (was != now) if base else (yours.get(name) != now)
        if not changed:
            continue
        if name == "summary":
            rows.append({"label": FIELD_LABELS["summary"], "was": "", "now": _("(tekst gewijzigd)"), "yours": ""})
            continue
        rows.append(
            {
                "label": FIELD_LABELS.get(name, name),
                "was": field_display(book, name, was, teams=teams) if base else "",
                "now": field_display(book, name, now, teams=teams),
                "yours": field_display(book, name, yours.get(name), teams=teams),
            }
        )
    base_persons = _comparable(base)["persons"] if base else None
    now_persons = _comparable(current)["persons"]
    if (base_persons if base else _comparable(yours)["persons"]) != now_persons:
        described = "; ".join(
            f"{index + 1}: "
            + ", ".join(
                code_label(book, lst, p[key])
                for key, lst in (("gender", "person_gender"), ("age", "person_age"), ("problem", "problem"))
            )
            for index, p in enumerate(now_persons)
        )
        rows.append(
            {
                "label": FIELD_LABELS["persons"],
                "was": str(len(base_persons)) if base_persons is not None else "",
                "now": described or _("geen"),
                "yours": str(len(yours["persons"])),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request, uuid):
    contact = _editable_contact(request, uuid)
    if request.method == "POST":
        services.contact_delete(user=request.user, contact=contact)
        messages.success(request, _("Het contact is verwijderd."))
        return redirect("registration:contact-list")
    return render(request, "registration/contact_confirm_delete.html", {"contact": contact})


# ---------------------------------------------------------------------------- drafts


@login_required
@require_GET
def draft_list(request):
    drafts = Draft.objects.owned_by(request.user).open().select_related("edits")
    return render(request, "registration/draft_list.html", {"drafts": draft_summaries(drafts[:100])})


@login_required
@require_GET
def draft_resume(request, token):
    draft = get_object_or_404(Draft.objects.owned_by(request.user).open(), token=token)
    initial, persons = initial_from_draft(draft.data)
    initial["token"] = draft.token
    contact = None
    if draft.edits_id is not None:
        contact = _editable_contact(request, draft.edits.uuid)
        state = draft.data or {}
        for key in ("version", "base"):
            value = state.get(key)
            value = value[0] if isinstance(value, list) and value else value
            if value:
                initial[key] = value
    form, formset = build_forms(
        request.user,
        initial=initial,
        persons_initial=persons,
        contact=contact,
        default_day=_initial_day(initial, contact),
    )
    return _render_form(request, form, formset, contact=contact, draft_token=draft.token)


def _initial_day(initial: dict, contact) -> date | None:
    """The day whose codes a resumed draft offers: its typed date, else the contact's."""
    fallback = contact.started_on if contact else None
    raw = initial.get("started_date")
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else fallback
    except ValueError:
        return fallback


def _clean_state(raw) -> dict | None:
    if not isinstance(raw, dict) or len(raw) > DRAFT_MAX_KEYS:
        return None
    state = {}
    for key, value in raw.items():
        if not isinstance(key, str) or len(key) > 100 or key == "csrfmiddlewaretoken":
            continue
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) and len(v) <= DRAFT_MAX_VALUE for v in values):
            return None
        state[key] = values
    return state


@require_POST
def draft_autosave(request, token):
    """Store the form state (JSON body {"data": {...}}); 401 when the session has ended."""
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False, "reason": "login"}, status=401)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return HttpResponseBadRequest()
    state = _clean_state(body.get("data") if isinstance(body, dict) else None)
    if state is None:
        return JsonResponse({"ok": False, "reason": "invalid"}, status=400)
    edits = None
    edit_uuid = body.get("edits")
    if edit_uuid:
        try:
            edits = contacts_visible_to(request.user).filter(uuid=uuid_lib.UUID(str(edit_uuid))).first()
        except ValueError:
            edits = None
        if edits is None or not services.can_edit(request.user, edits):
            return JsonResponse({"ok": False, "reason": "forbidden"}, status=403)
    try:
        draft = services.draft_save(user=request.user, token=token, data=state, edits=edits)
    except Draft.DoesNotExist:
        return JsonResponse({"ok": False, "reason": "forbidden"}, status=403)
    # Typing keeps the session alive: each autosave renews its expiry.
    request.session.modified = True
    if draft is None:
        return JsonResponse({"ok": False, "reason": "registered"}, status=409)
    return JsonResponse({"ok": True, "saved_at": timezone.localtime(draft.updated_at).strftime("%H:%M:%S")})


@login_required
@require_POST
def draft_discard(request, token):
    services.draft_discard(user=request.user, token=token)
    messages.success(request, _("Het concept is verwijderd."))
    return redirect("registration:draft-list")


@require_GET
def session_status(request):
    """Is the session still valid? Also hands the page a fresh CSRF token after a re-login."""
    authenticated = request.user.is_authenticated
    if authenticated:
        request.session.modified = True
    return JsonResponse(
        {"authenticated": authenticated, "csrf": get_token(request)}, status=200 if authenticated else 401
    )
