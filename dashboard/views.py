"""The team coordinator's start page and the Flemish coordinator's per-team overview.

The access middleware lets team coordinators open the first and the Flemish coordinator the
second (accounts.access.ROLE_RULES); a team outside the coordinator's teams is a 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from followup.services import follow_ups_sweep
from registration.selectors import teams_of

from .overview import flemish_overview
from .team import team_dashboard


@login_required
@require_GET
def team(request):
    teams = list(teams_of(request.user))
    chosen = request.GET.get("team")
    team = next((t for t in teams if t.code == chosen), None) if chosen else (teams[0] if teams else None)
    if team is None:
        raise Http404
    # Drafts left since the last visit become items before they are counted.
    follow_ups_sweep()
    context = {"teams": teams, **team_dashboard(team, timezone.localdate())}
    return render(request, "dashboard/team.html", context)


@login_required
@require_GET
def teams_side_by_side(request):
    return render(request, "dashboard/flemish.html", flemish_overview(timezone.localdate()))
