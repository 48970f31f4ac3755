"""Registration screens: list, detail, the live-call form (new / edit), drafts.

Every contact is read through `contacts_visible_to(request.user)`; URLs carry uuids only.
The access middleware lets only logged-in, verified counsellors and coordinators get here.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.services import audit_event

from . import display, paging, selectors, services
from .conflict import compare, take_over
from .form_state import (
    draft_state,
    draft_state_of_post,
    initial_day,
    initial_from_contact,
    initial_from_draft,
    new_registration_initial,
    parse_uuid,
    sign_state,
)
from .forms import ContactFilterForm, build_forms, forms_valid, registration_input
from .models import Contact, Draft

# ---------------------------------------------------------------------------- list and detail


@login_required
@require_GET
def contact_list(request):
    # The user's teams, read once: the filter offers them and the list's queries name their ids.
    teams = list(selectors.teams_of(request.user))
    filters = ContactFilterForm(request.GET or None, user=request.user, teams=teams)
    applied = filters.filters()
    if applied is None:
        contacts = Contact.objects.none()
    else:
        # The rows' problems are read as values by display.contact_rows, not as prefetched persons.
        contacts = selectors.contact_list_for_user(request.user, teams=teams, **applied).prefetch_related(None)
    page = paging.contact_page(
        contacts, per_page=settings.CONTACTS_PER_PAGE, cursor=request.GET.get("cursor"), page=request.GET.get("page")
    )
    rows = display.contact_rows(page, filters.book)
    if applied is not None:
        # Every page shown is a read of the contacts on it, so it appears in each of their trails;
        # a search also records its filters (codes and dates only).
        details = {**filters.active_filters(), **page.position()}
        action = "contact_search" if applied else "contact_list"
        audit_event(request.user, action, contact_ids=[c.pk for c in page], details=details)
    context = {
        "filters": filters,
        "page": page,
        "rows": rows,
        "counts": display.page_counts(page),
        # The pager's links carry the applied filters (codes and dates) and a cursor, nothing typed.
        "query": display.list_query(filters),
        "drafts": display.draft_summaries(selectors.open_drafts_of(request.user)[:10], filters.book),
    }
    return render(request, "registration/contact_list.html", context)


@login_required
@require_GET
def contact_detail(request, uuid):
    # The persons' codes are read as values by display.contact_page, not as prefetched persons.
    contact = get_object_or_404(selectors.contacts_with_registration(request.user).prefetch_related(None), uuid=uuid)
    audit_event(request.user, "contact_view", contact_ids=[contact.pk])
    context = {
        "contact": contact,
        **display.contact_page(contact),
        "follow_ups": selectors.follow_ups_visible_to(request.user, contact),
        "follow_up_of": selectors.follow_up_of_visible_to(request.user, contact),
        "can_edit": selectors.can_edit(request.user, contact),
    }
    return render(request, "registration/contact_detail.html", context)


# ---------------------------------------------------------------------------- the form


def _render_form(request, form, formset, *, contact=None, status=200, conflict=None, draft_token=None):
    token = draft_token or (form["token"].value() if form.is_bound else form.initial.get("token"))
    other_drafts = selectors.open_drafts_of(request.user).exclude(token=token)[:5] if token else []
    # "Opvolging van" lists the team's recent contacts (date, time, channel, team): a read of each.
    offered = [value for value, _label in form.fields["follow_up_of"].choices if value]
    if offered:
        audit_event(request.user, "contact_choices", contact_ids=offered)
    context = {
        "form": form,
        "formset": formset,
        "contact": contact,
        "errors": display.form_errors(form, formset),
        "conflict": conflict,
        "token": token,
        "i18n": display.screen_text(),
        "facts": display.screen_facts(form.book),
        "resume_url": reverse("registration:draft-resume", args=[token]) if token else "",
        "autosave_url": reverse("registration:draft-autosave", args=[token]) if token else "",
        "drafts": display.draft_summaries(other_drafts),
    }
    return render(request, "registration/contact_form.html", context, status=status)


def _keep_typed(request, *, edits: Contact | None = None) -> None:
    """Keep what an invalid save typed as the form's draft, so it survives a closed tab."""
    token = parse_uuid(request.POST.get("token"))
    if token:
        try:
            services.draft_save(user=request.user, token=token, data=draft_state_of_post(request.POST), edits=edits)
        except Draft.DoesNotExist:
            pass


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request):
    if request.method == "GET":
        initial = new_registration_initial(request.user, request.GET.get("follow_up_of"))
        return _render_form(request, *build_forms(request.user, initial=initial))
    form, formset = build_forms(request.user, data=request.POST)
    if not forms_valid(form, formset):
        _keep_typed(request)
        return _render_form(request, form, formset, status=400)
    token = parse_uuid(request.POST.get("token"))
    try:
        contact = services.contact_register(user=request.user, data=registration_input(form, formset), token=token)
    except Draft.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("Het contact is geregistreerd."))
    return redirect("registration:contact-detail", uuid=contact.uuid)


def _editable_contact(request, uuid) -> Contact:
    contact = get_object_or_404(selectors.contacts_with_registration(request.user), uuid=uuid)
    if not selectors.can_edit(request.user, contact):
        raise PermissionDenied
    return contact


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, uuid):
    contact = _editable_contact(request, uuid)
    if request.method == "GET":
        # The edit page shows the whole registration, summary included: a read like the detail page.
        audit_event(request.user, "contact_edit_view", contact_ids=[contact.pk])
        return _edit_form(request, contact)
    form, formset = build_forms(request.user, data=request.POST, contact=contact, default_day=contact.started_on)
    if not forms_valid(form, formset):
        _keep_typed(request, edits=contact)
        return _render_form(request, form, formset, contact=contact, status=400)
    data = registration_input(form, formset)
    try:
        contact = services.contact_update(
            user=request.user, contact=contact, version=form.cleaned_data.get("version") or 0, data=data
        )
    except services.ConcurrentEdit as conflict:
        if selectors.is_stored(data, conflict.current_state):
            # The same save arrived twice (a double click, a retry): it is already stored.
            return redirect("registration:contact-detail", uuid=contact.uuid)
        return _conflict_form(request, form, conflict, data)
    messages.success(request, _("De wijzigingen zijn bewaard."))
    return redirect("registration:contact-detail", uuid=contact.uuid)


def _edit_form(request, contact: Contact):
    initial, persons = initial_from_contact(contact)
    form, formset = build_forms(
        request.user, initial=initial, persons_initial=persons, contact=contact, default_day=contact.started_on
    )
    return _render_form(request, form, formset, contact=contact)


def _conflict_form(request, form, conflict: services.ConcurrentEdit, data):
    """The user's input back on screen, now based on the colleague's version, with what changed."""
    contact = conflict.contact
    changes = compare(form.base_state(), conflict.current_state, data)
    rows = display.conflict_rows(changes, day=contact.started_on, teams=dict(form.fields["team"].choices))
    # What the colleague changed and the user did not is taken over on the screen, so saving
    # again keeps it; where both changed a field, the user's input stays (and both are shown).
    fresh = take_over(request.POST, changes, summary=selectors.summary_of(contact))
    fresh["version"] = str(contact.version)
    fresh["base"] = sign_state(conflict.current_state)
    form, formset = build_forms(request.user, data=fresh, contact=contact, default_day=contact.started_on)
    form.is_valid()
    formset.is_valid()
    # The screen now shows the colleague's stored version (summary included): a read.
    audit_event(request.user, "contact_conflict_view", contact_ids=[contact.pk])
    return _render_form(request, form, formset, contact=contact, status=409, conflict=rows)


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request, uuid):
    contact = _editable_contact(request, uuid)
    if request.method == "POST":
        services.contact_delete(user=request.user, contact=contact)
        messages.success(request, _("Het contact is verwijderd."))
        return redirect("registration:contact-list")
    audit_event(request.user, "contact_delete_view", contact_ids=[contact.pk])
    return render(request, "registration/contact_confirm_delete.html", {"contact": contact})


# ---------------------------------------------------------------------------- drafts


@login_required
@require_GET
def draft_list(request):
    drafts = selectors.open_drafts_of(request.user).select_related("edits")[:100]
    return render(request, "registration/draft_list.html", {"drafts": display.draft_summaries(drafts)})


@login_required
@require_GET
def draft_resume(request, token):
    draft = selectors.draft_of(request.user, token)
    if draft is not None and draft.registered_id is not None:
        return _already_registered(request, draft)
    draft = get_object_or_404(selectors.open_drafts_of(request.user), token=token)
    initial, persons = initial_from_draft(draft.data)
    initial["token"] = draft.token
    contact = _editable_contact(request, draft.edits.uuid) if draft.edits_id is not None else None
    day = initial_day(initial, contact.started_on if contact else None)
    form, formset = build_forms(
        request.user, initial=initial, persons_initial=persons, contact=contact, default_day=day
    )
    # What was typed comes back on screen (and, for an edit, the contact it changes).
    audit_event(
        request.user, "draft_resume", contact_ids=[contact.pk] if contact else (), details={"draft": str(draft.token)}
    )
    return _render_form(request, form, formset, contact=contact, draft_token=draft.token)


def _already_registered(request, draft: Draft):
    """The screen of a draft that became a contact, shown again from history: say so, offer the contact.

    The page script moves a new registration's history entry to its draft's address when it saves,
    so Back (or a reload) lands here instead of on a fresh form that would save a second contact.
    """
    contact = selectors.contacts_visible_to(request.user).filter(pk=draft.registered_id).first()
    if contact is not None:
        details = {"draft": str(draft.token)}
        audit_event(request.user, "draft_registered_view", contact_ids=[contact.pk], details=details)
    context = {"contact": contact, "registered_at": timezone.localtime(draft.registered.created_at)}
    return render(request, "registration/draft_registered.html", context)


@login_required
@require_POST
def draft_autosave(request, token):
    """Store the form state (JSON body {"data": {...}, "edits": uuid}) as the user's draft."""
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return HttpResponseBadRequest()
    body = body if isinstance(body, dict) else {}
    state = draft_state(body.get("data"))
    if state is None:
        return JsonResponse({"ok": False, "reason": "invalid"}, status=400)
    edits = selectors.contact_editable_by(request.user, parse_uuid(body.get("edits")))
    if body.get("edits") and edits is None:
        return JsonResponse({"ok": False, "reason": "forbidden"}, status=403)
    try:
        draft = services.draft_save(user=request.user, token=token, data=state, edits=edits)
    except Draft.DoesNotExist:
        return JsonResponse({"ok": False, "reason": "forbidden"}, status=403)
    # Typing keeps the session alive: like every request, an autosave renews the session's expiry
    # through the access gate (accounts.middleware, at most every LAST_SEEN_GRANULARITY seconds).
    if draft is None:
        return JsonResponse({"ok": False, "reason": "registered"}, status=409)
    return JsonResponse({"ok": True, "saved_at": timezone.localtime(draft.updated_at).strftime("%H:%M:%S")})


@login_required
@require_http_methods(["GET", "POST"])
def draft_discard(request, token):
    if request.method == "GET":
        # Discarding drops all that was typed: the list's link asks here first, "no" focused.
        draft = get_object_or_404(selectors.open_drafts_of(request.user).select_related("edits"), token=token)
        return render(request, "registration/draft_confirm_discard.html", {"item": display.draft_summaries([draft])[0]})
    services.draft_discard(user=request.user, token=token)
    messages.success(request, _("Het concept is verwijderd."))
    return redirect("registration:draft-list")


@login_required
@require_GET
def session_status(request):
    """The session is still valid (else the access middleware redirects to the login page).

    Also hands the page a fresh CSRF token after a re-login; asking renews the session.
    """
    request.session.modified = True
    return JsonResponse({"authenticated": True, "csrf": get_token(request)})
