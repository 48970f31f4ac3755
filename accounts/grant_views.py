"""Pages for grants: a team coordinator's access page, and the two-person flow that makes team
coordinators (administrators and the Flemish coordinator). Rules live in accounts.grants."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import grant_selectors as selectors
from . import grants
from .grant_forms import EndForm, GrantForm, ProposalForm
from .models import CoordinatorProposal, Role, User


def _team_or_404(request, team: str):
    found = selectors.coordinated_team(request.user, team)
    if found is None:
        raise Http404
    return found


def _refused(request, error: grants.GrantRefused) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- Team coordinators ---------------------------------------------------------------------------


def team_access(request, team: str):
    """Who can read the team's contacts today, and every change to that list, newest first."""
    team = _team_or_404(request, team)
    history = Paginator(selectors.team_access_history(team), 50).get_page(request.GET.get("page"))
    context = {
        "team": team,
        "readers": selectors.team_readers(team),
        "future": selectors.team_future_members(team),
        "history": history,
    }
    return render(request, "accounts/team_access.html", context)


def grant_add(request, team: str):
    """Add an existing counsellor to the team from a day on."""
    team = _team_or_404(request, team)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grants.membership_grant(
                coordinator=request.user,
                team=team,
                user=form.cleaned_data["username"],
                valid_from=form.cleaned_data["valid_from"],
            )
        except grants.GrantRefused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Toegang gegeven."))
            return redirect("team:access", team=team.code)
    return render(request, "accounts/grant_add.html", {"team": team, "form": form})


def grant_end(request, team: str, membership_id: int):
    """End a counsellor's membership of the team (the last day with access)."""
    team = _team_or_404(request, team)
    membership = selectors.endable_membership(team, membership_id)
    if membership is None:
        raise Http404
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grants.membership_end(
                coordinator=request.user, membership=membership, valid_until=form.cleaned_data["valid_until"]
            )
        except grants.GrantRefused as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Toegang beëindigd."))
            return redirect("team:access", team=team.code)
    return render(request, "accounts/grant_end.html", {"team": team, "membership": membership, "form": form})


# --- Administrators and the Flemish coordinator ----------------------------------------------------


def coordinator_list(request, form=None):
    """Proposals waiting for a second person, the current team coordinators, and a proposal form."""
    context = {
        "form": form or ProposalForm(),
        "pending": selectors.pending_proposals(),
        "decided": selectors.decided_proposals(),
        "coordinators": selectors.current_coordinators(),
    }
    return render(request, "accounts/grant_coordinators.html", context)


@require_POST
def coordinator_propose(request):
    form = ProposalForm(request.POST)
    if not form.is_valid():
        return coordinator_list(request, form=form)
    try:
        grants.coordinator_propose(
            proposer=request.user, user=form.cleaned_data["username"], team=form.cleaned_data["team"]
        )
    except grants.GrantRefused as error:
        form.add_error(None, error)
        return coordinator_list(request, form=form)
    messages.success(request, _("Voorstel ingediend: een tweede persoon moet het bevestigen."))
    return redirect("team:coordinators")


def _decision(service, success, actor_arg: str):
    """A POST-only view that applies one decision on a proposal and returns to the list."""

    @require_POST
    def view(request, proposal_id: int):
        proposal = get_object_or_404(CoordinatorProposal, pk=proposal_id)
        try:
            service(proposal=proposal, **{actor_arg: request.user})
        except grants.GrantRefused as error:
            _refused(request, error)
        else:
            messages.success(request, success)
        return redirect("team:coordinators")

    return view


coordinator_confirm = _decision(grants.coordinator_confirm, gettext_lazy("Bevestigd."), "decider")
coordinator_refuse = _decision(grants.coordinator_refuse, gettext_lazy("Geweigerd."), "decider")
coordinator_withdraw = _decision(grants.coordinator_withdraw, gettext_lazy("Ingetrokken."), "proposer")


@require_POST
def coordinator_revoke(request, user_id: int):
    user = get_object_or_404(User, pk=user_id, role=Role.TEAM_COORDINATOR)
    try:
        grants.coordinator_revoke(actor=request.user, user=user)
    except grants.GrantRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("De rol teamcoördinator is ingetrokken."))
    return redirect("team:coordinators")
