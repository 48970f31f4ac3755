from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .forms import InviteForm, TokenForm
from .models import Role, User

# Where each role starts after login; the first page that exists wins.
HOME_PAGES = {
    Role.COUNSELLOR: ["registration:contact-list"],
    Role.TEAM_COORDINATOR: ["registration:contact-list"],
    Role.FLEMISH_COORDINATOR: ["reports:index", "reports:report", "reports:home"],
    Role.ADMINISTRATOR: ["admin:index"],
}


def home(request):
    for name in HOME_PAGES.get(request.user.role, []):
        try:
            return redirect(reverse(name))
        except NoReverseMatch:
            continue
    return render(request, "accounts/home.html")


def two_factor(request):
    """Send a logged-in user to enrolment (no device yet) or to code verification."""
    if request.user.is_verified():
        return redirect(_safe_next(request) or "home")
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        target = reverse("accounts:otp-verify")
        following = _safe_next(request)
        return redirect(f"{target}?{urlencode({'next': following})}" if following else target)
    return redirect("accounts:otp-setup")


def otp_setup(request):
    """First login: show the QR code and secret, confirm a code, then show the backup codes once."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:otp-verify")
    device = services.totp_device_for_enrolment(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip().replace(" ", "")
        if device.verify_token(token):
            codes = services.totp_enrolment_confirm(request.user, device)
            otp_login(request, device)
            return render(request, "accounts/backup_codes.html", {"codes": codes})
        form.add_error("token", _("Deze code klopt niet. Controleer de tijd op je toestel en probeer opnieuw."))
    context = {
        "form": form,
        "qr_svg": services.totp_qr_svg(device),
        "secret": services.totp_secret_base32(device),
    }
    return render(request, "accounts/otp_setup.html", context)


def otp_verify(request):
    """Every later login: a code from the authenticator app or a single-use backup code."""
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:otp-setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.two_factor_device_match(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request) or "home")
        if services.two_factor_locked_until(request.user):
            form.add_error("token", _("Te veel foute codes na elkaar. Wacht even en probeer opnieuw."))
        else:
            form.add_error("token", _("Deze code klopt niet."))
    return render(request, "accounts/otp_verify.html", {"form": form})


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


def _coordinated_teams(request):
    return list(request.user.teams_on())


def _member_or_404(request, user_id: int) -> User:
    """A counsellor of one of the coordinator's teams, else 404 (never reveal other accounts)."""
    teams = _coordinated_teams(request)
    member = get_object_or_404(services.team_members(teams), pk=user_id)
    if member.role != Role.COUNSELLOR or member.pk == request.user.pk:
        raise Http404
    return member


def team_list(request):
    teams = _coordinated_teams(request)
    members = list(services.team_members(teams))
    enrolled = set(TOTPDevice.objects.filter(user__in=members, confirmed=True).values_list("user_id", flat=True))
    rows = [{"user": m, "enrolled": m.pk in enrolled, "manageable": m.role == Role.COUNSELLOR} for m in members]
    return render(request, "accounts/team_list.html", {"teams": teams, "rows": rows})


def team_invite(request):
    teams = _coordinated_teams(request)
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
    member = _member_or_404(request, user_id)
    teams = _coordinated_teams(request)
    team = next(t for t in teams if member.teams_on().filter(pk=t.pk).exists())
    services.counsellor_deactivate(coordinator=request.user, user=member, team=team)
    messages.success(request, _("Het account %(username)s is gedeactiveerd.") % {"username": member.username})
    return redirect("team:list")


@require_POST
def team_reset_two_factor(request, user_id: int):
    member = _member_or_404(request, user_id)
    services.two_factor_reset(actor=request.user, user=member)
    messages.success(
        request,
        _("De tweestapsverificatie van %(username)s is gewist; bij de volgende aanmelding stelt die ze opnieuw in.")
        % {"username": member.username},
    )
    return redirect("team:list")
