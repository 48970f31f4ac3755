"""The follow-up queue's pages. The access middleware lets only verified counsellors and team
coordinators in (handing an item to someone: coordinators only); every item is read through
`items_visible_to(request.user)`, so another team's item is a 404. URLs carry uuids only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from audit.services import audit_event
from registration.selectors import can_edit, teams_of

from . import selectors, services
from .forms import AssignForm, CloseForm, ItemForm, QueueFilterForm
from .models import FollowUpItem, Kind

ITEMS_PER_PAGE = 50


def _item_or_404(request, item_uuid) -> FollowUpItem:
    item = selectors.item_for(request.user, item_uuid)
    if item is None:
        raise Http404
    return item


@login_required
@require_GET
def queue(request):
    services.follow_ups_sweep()
    teams = list(teams_of(request.user))
    filters = QueueFilterForm(request.GET or None, teams=teams)
    today = timezone.localdate()
    items = selectors.queue_for(request.user, today=today, **filters.filters())
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    # The queue links the contacts its items are about (with their date): a read of those contacts.
    shown = {pk for item in page for pk in (item.contact_id, item.answered_by_id) if pk}
    if shown:
        audit_event(request.user, "follow_up_queue", contact_ids=shown, details={"page": page.number})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "rows": [{"item": item, "overdue": item.is_overdue_on(today)} for item in page],
        "closed_view": filters.filters().get("state") == "closed",
        "query": query.urlencode(),
        "today": today,
    }
    return render(request, "followup/queue.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def item_new(request):
    teams = list(teams_of(request.user))
    if not teams:
        raise Http404
    form = ItemForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        # A double press (or Back and send again) hands in the same message: the open item it
        # made is that item, as for an integration's retry.
        _item, new = services.item_receive(
            user=request.user,
            team=form.team_chosen(),
            kind=form.cleaned_data["kind"],
            received_at=form.cleaned_data["received_at"],
            callback_number=form.cleaned_data["callback_number"],
            note=form.cleaned_data["note"],
            via="web",
        )
        if new:
            messages.success(request, _("Het punt staat in de opvolglijst."))
        else:
            messages.info(request, _("Dit punt stond al in de opvolglijst; er is geen tweede gemaakt."))
        if "another" in request.POST:
            return redirect("followup:item-new")
        return redirect("followup:queue")
    return render(request, "followup/item_new.html", {"form": form}, status=400 if form.is_bound else 200)


@login_required
@require_GET
def item_detail(request, item):
    item = _item_or_404(request, item)
    text = selectors.text_of(item) if item.is_open else None
    # Reading the number or the note is reading personal data: the trail records who did.
    audit_event(
        request.user,
        "follow_up_view",
        contact_ids=[pk for pk in (item.contact_id, item.answered_by_id) if pk],
        details={"item": str(item.uuid), "kind": item.kind, "team": item.team_id},
    )
    today = timezone.localdate()
    context = {
        "item": item,
        "text": text,
        "overdue": item.is_overdue_on(today),
        "close_form": CloseForm(),
        "assign_form": AssignForm(team=item.team, initial={"assignee": item.assigned_to_id})
        if request.user.role == Role.TEAM_COORDINATOR
        else None,
        "can_register": _registration_target(request, item) is not None,
    }
    return render(request, "followup/item_detail.html", context)


def _closed_meanwhile(request, item: FollowUpItem):
    messages.error(request, _("Dit punt is intussen afgesloten."))
    return redirect("followup:item-detail", item=item.uuid)


@login_required
@require_POST
def item_take(request, item):
    item = _item_or_404(request, item)
    try:
        services.item_take(user=request.user, item=item)
    except services.ItemClosed:
        return _closed_meanwhile(request, item)
    except services.ItemTaken:
        messages.error(request, _("Een collega heeft dit punt al; vraag je teamcoördinator om het door te geven."))
        return redirect("followup:item-detail", item=item.uuid)
    messages.success(request, _("Je hebt dit punt genomen."))
    return redirect("followup:item-detail", item=item.uuid)


@login_required
@require_POST
def item_assign(request, item):
    item = _item_or_404(request, item)
    form = AssignForm(request.POST, team=item.team)
    if not form.is_valid():
        messages.error(request, _("Kies iemand van het team."))
        return redirect("followup:item-detail", item=item.uuid)
    assignee = form.cleaned_data["assignee"]
    try:
        services.item_assign(user=request.user, item=item, assignee=assignee)
    except services.ItemClosed:
        return _closed_meanwhile(request, item)
    if assignee:
        name = assignee.get_full_name() or assignee.get_username()
        messages.success(request, _("Het punt is gegeven aan %(name)s.") % {"name": name})
    else:
        messages.success(request, _("Het punt is terug voor het hele team."))
    return redirect("followup:queue")


@login_required
@require_POST
def item_close(request, item):
    item = _item_or_404(request, item)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies een reden om af te sluiten."))
        return redirect("followup:item-detail", item=item.uuid)
    try:
        services.item_close(user=request.user, item=item, reason=form.cleaned_data["reason"])
    except services.ItemClosed:
        return _closed_meanwhile(request, item)
    messages.success(request, _("Het punt is afgesloten; het nummer en de notitie zijn gewist."))
    return redirect("followup:queue")


def _registration_target(request, item: FollowUpItem) -> str | None:
    """What registering for the item opens: None when the user cannot (closed, not theirs)."""
    if not item.is_open:
        return None
    if item.kind == Kind.INCOMPLETE:
        return "edit" if item.contact_id and can_edit(request.user, item.contact) else None
    if item.kind == Kind.DRAFT_LEFT:
        return "draft" if item.draft_id and item.draft.owner_id == request.user.pk else None
    return "new"


@login_required
@require_POST
def item_register(request, item):
    """Open the registration that answers the item: a new contact, the incomplete one, the left draft."""
    item = _item_or_404(request, item)
    target = _registration_target(request, item)
    if target == "edit":
        return redirect("registration:contact-edit", uuid=item.contact.uuid)
    if target == "draft":
        return redirect("registration:draft-resume", token=item.draft.token)
    if target is None:
        messages.error(request, _("Je kan voor dit punt geen registratie openen."))
        return redirect("followup:item-detail", item=item.uuid)
    try:
        draft = services.item_answer_draft(user=request.user, item=item)
    except services.ItemClosed:
        return _closed_meanwhile(request, item)
    return redirect("registration:draft-resume", token=draft.token)
