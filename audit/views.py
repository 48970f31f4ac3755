from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.selectors import team_members

from . import selectors
from .forms import TrailFilterForm


def trail(request):
    """The audit trail of the coordinator's team's contacts, by user, contact and period."""
    members = list(team_members(request.user.teams_on()))
    form = TrailFilterForm(request.GET or None, members=members)
    filters = form.cleaned_data if form.is_valid() else {}
    events, changes = selectors.audit_trail_for(
        request.user,
        members=members,
        actor=filters.get("actor"),
        contact=filters.get("contact"),
        start=filters.get("start"),
        end=filters.get("end"),
    )
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "audit/trail.html", {"form": form, "page": page, "changes": changes})
