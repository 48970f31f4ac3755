from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.services import team_members

from . import selectors
from .forms import TrailFilterForm


def trail(request):
    """The audit trail of the coordinator's team's contacts, by user, contact and period."""
    members = list(team_members(request.user.teams_on()))
    form = TrailFilterForm(request.GET or None, members=members)
    filters = form.cleaned_data if form.is_valid() else {}
    contact = None
    if filters.get("contact"):
        contact = selectors.trail_contacts_of(request.user).filter(uuid=filters["contact"]).first()
    no_match = bool(filters.get("contact")) and contact is None
    events = selectors.audit_events_for(
        request.user,
        actor_id=filters.get("actor"),
        contact=contact,
        start=filters.get("start"),
        end=filters.get("end"),
    )
    if no_match:
        events = events.none()
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    changes = selectors.contact_changes_for(
        request.user, actor_id=filters.get("actor"), contact=contact, start=filters.get("start"), end=filters.get("end")
    )
    if changes is not None and no_match:
        changes = []
    usernames = {m.pk: m.get_username() for m in members}
    for change in changes or []:
        change["username"] = usernames.get(change["user_id"], change["user_id"])
    return render(request, "audit/trail.html", {"form": form, "page": page, "changes": changes})
