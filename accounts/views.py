import math

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import selectors, services
from .forms import InviteForm, TokenForm
from .navigation import menu_for


def home(request):
    """Each role starts on the first page of its menu."""
    entries = menu_for(request.user.role)
    if entries:
        return redirect(entries[0].url)
    return render(request, "accounts/home.html")


def two_factor(request):
    """Send a logged-in user to enrolment (no device yet) or to code verification."""
    if request.user.is_verified():
        return redirect(_safe_next(request) or "home")
    if selectors.two_factor_enrolled(request.user):
        target = reverse("accounts:otp-verify")
        following = _safe_next(request)
        return redirect(f"{target}?{urlencode({'next': following})}" if following else target)
    return redirect("accounts:otp-setup")


def otp_setup(request):
    """First login: show the QR code and secret, confirm a code, then show the backup codes once."""
    if selectors.two_factor_enrolled(request.user):
        return redirect("accounts:otp-verify")
    device = services.totp_device_for_enrolment(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.totp_enrolment_confirm(request.user, device, form.cleaned_data["token"])
        if codes is not None:
            _verified(request, device)
            return render(request, "accounts/backup_codes.html", {"codes": codes})
        form.add_error("token", _("Deze code klopt niet. Controleer de tijd op je toestel en probeer opnieuw."))
    context = {
        "form": form,
        "qr_svg": selectors.totp_qr_svg(device),
        "secret": selectors.totp_secret_base32(device),
    }
    return render(request, "accounts/otp_setup.html", context)


def otp_verify(request):
    """Every later login: a code from the authenticator app or a single-use backup code."""
    if not selectors.two_factor_enrolled(request.user):
        return redirect("accounts:otp-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # A device that is still pausing after a wrong code refuses every code unchecked.
        paused = selectors.two_factor_locked_until(request.user) is not None
        device = services.two_factor_device_match(request.user, form.cleaned_data["token"])
        if device is not None:
            _verified(request, device)
            return redirect(_safe_next(request) or "home")
        form.add_error("token", _code_refused(request.user, checked=not paused))
    return render(request, "accounts/otp_verify.html", {"form": form})


def _verified(request, device) -> None:
    """Mark the session two-factor verified, under a new session key.

    A request of the same browser still running with the unverified session (an autosave, a
    second tab) would otherwise write it back when it ends and undo the login; with the old key
    gone, Django refuses that write instead. A new key on a raised privilege is safer anyway.
    """
    otp_login(request, device)
    request.session.cycle_key()


# Each wrong code in a row doubles the device's pause (1, 2, 4 … seconds): only from this many
# on is the pause worth calling "too many"; one typo is just a wrong code.
TOO_MANY_WRONG_CODES = 3


def _code_refused(user, *, checked: bool) -> str:
    """Why a code was refused: wrong, sent during the pause after a wrong one, or too many in a row."""
    failures, until = selectors.two_factor_throttle(user)
    wait = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 0
    too_many = ngettext(
        "Te veel foute codes na elkaar: wacht %(n)s seconde en probeer opnieuw.",
        "Te veel foute codes na elkaar: wacht %(n)s seconden en probeer opnieuw.",
        wait,
    ) % {"n": wait}
    if checked:
        wrong = _("Deze code klopt niet.")
        return f"{wrong} {too_many}" if until and failures >= TOO_MANY_WRONG_CODES else wrong
    if failures >= TOO_MANY_WRONG_CODES:
        return too_many
    return ngettext(
        "Wacht nog %(n)s seconde en typ de code dan opnieuw: na een foute code kan dat niet meteen.",
        "Wacht nog %(n)s seconden en typ de code dan opnieuw: na een foute code kan dat niet meteen.",
        wait,
    ) % {"n": wait}


def _safe_next(request) -> str | None:
    target = request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


def backup_codes_regenerate(request):
    """A verified user replaces their backup codes (shown once)."""
    if request.method != "POST":
        return render(request, "accounts/backup_codes_confirm.html")
    codes = services.backup_codes_generate(request.user)
    return render(request, "accounts/backup_codes.html", {"codes": codes})


# --- Team management (team coordinators) ------------------------------------------------------


def _manageable_or_404(request, user_id: int):
    """A counsellor of one of the coordinator's teams and a team they share, else 404 (never
    reveal other accounts)."""
    found = selectors.manageable_member(request.user, user_id)
    if found is None:
        raise Http404
    return found


def team_list(request):
    teams, rows = selectors.team_roster(request.user)
    return render(request, "accounts/team_list.html", {"teams": teams, "rows": rows})


def team_invite(request):
    teams = list(request.user.teams_on())
    if not teams:
        raise Http404
    form = InviteForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        user, password = services.counsellor_invite(
            coordinator=request.user,
            team=form.team(),
            username=form.cleaned_data["username"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            email=form.cleaned_data["email"],
        )
        return render(request, "accounts/team_invited.html", {"member": user, "password": password})
    return render(request, "accounts/team_invite.html", {"form": form})


@require_POST
def team_deactivate(request, user_id: int):
    member, team = _manageable_or_404(request, user_id)
    services.counsellor_deactivate(coordinator=request.user, user=member, team=team)
    messages.success(request, _("Het account %(username)s is gedeactiveerd.") % {"username": member.username})
    return redirect("team:list")


@require_POST
def team_reset_two_factor(request, user_id: int):
    member, _team = _manageable_or_404(request, user_id)
    services.two_factor_reset(actor=request.user, user=member)
    messages.success(
        request,
        _("De tweestapsverificatie van %(username)s is gewist; bij de volgende aanmelding stelt die ze opnieuw in.")
        % {"username": member.username},
    )
    return redirect("team:list")
