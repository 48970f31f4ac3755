import math

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlencode, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import selectors, services
from .emails import email_goes_to_console
from .forms import InviteForm, TokenForm
from .models import User
from .navigation import menu_for
from .tokens import INVITATION_VALIDITY, invitation_token_generator


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
    """A verified user replaces their backup codes (shown once), with a fresh code from their app:
    whoever finds an open session cannot take the codes with it."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        paused = selectors.two_factor_locked_until(request.user) is not None
        codes = services.backup_codes_regenerate(request.user, token)
        if codes is not None:
            return render(request, "accounts/backup_codes.html", {"codes": codes})
        if not (token.isdigit() and len(token) == 6):
            message = _("Typ de zescijferige code die je authenticator-app nu toont; een reservecode kan hier niet.")
        elif services.totp_code_already_used(request.user, token):
            message = _("Deze code is al gebruikt. Wacht tot je app een nieuwe code toont en typ die.")
        else:
            message = _code_refused(request.user, checked=not paused)
        form.add_error("token", message)
    return render(request, "accounts/backup_codes_confirm.html", {"form": form})


def password_change(request):
    """Every user changes their own password, giving the old one; this session stays logged in."""
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(user=request.user, password=form.cleaned_data["new_password1"])
        # Other sessions of this user end (their stored password hash no longer matches).
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Je wachtwoord is gewijzigd."))
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


# --- The invitation link ----------------------------------------------------------------------

# As in Django's PasswordResetConfirmView: the token leaves the URL for the session at once, so it
# is in no Referer header, browser history or access log after the first request.
INVITATION_SESSION_TOKEN = "_invitation_token"
INVITATION_URL_TOKEN = "set-password"


def _invited_user(uidb64: str) -> User | None:
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        if not (pk.isascii() and pk.isdigit()):
            return None
        return User.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError, ValidationError):
        return None


def invitation_accept(request, uidb64: str, token: str):
    """The link from the invitation e-mail: the invitee chooses a password, then logs in."""
    if request.user.is_authenticated:
        # Someone else's session in this browser: choosing a password here would mix two accounts.
        return render(request, "accounts/invitation_signed_in.html")
    user = _invited_user(uidb64)
    if token != INVITATION_URL_TOKEN:
        if user is not None and invitation_token_generator.check_token(user, token):
            request.session[INVITATION_SESSION_TOKEN] = token
            return redirect("accounts:invitation-accept", uidb64=uidb64, token=INVITATION_URL_TOKEN)
        return _invitation_invalid(request)
    if user is None or not invitation_token_generator.check_token(user, request.session.get(INVITATION_SESSION_TOKEN)):
        return _invitation_invalid(request)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invitation_password_set(user=user, password=form.cleaned_data["new_password1"])
        del request.session[INVITATION_SESSION_TOKEN]
        messages.success(
            request,
            _("Je wachtwoord is ingesteld. Meld je nu aan; daarna stel je tweestapsverificatie in."),
        )
        return redirect("login")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitee": user})


def _invitation_invalid(request):
    request.session.pop(INVITATION_SESSION_TOKEN, None)
    return render(request, "accounts/invitation_invalid.html", {"hours": _validity_hours()})


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
        user, sent = services.counsellor_invite(
            coordinator=request.user,
            team=form.team(),
            username=form.cleaned_data["username"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            email=form.cleaned_data["email"],
            request=request,
        )
        context = {"member": user, "sent": sent, "console": email_goes_to_console(), "hours": _validity_hours()}
        return render(request, "accounts/team_invited.html", context)
    return render(request, "accounts/team_invite.html", {"form": form, "hours": _validity_hours()})


def _validity_hours() -> int:
    return int(INVITATION_VALIDITY.total_seconds() // 3600)


def _link_sent_message(request, sent: bool, username: str) -> None:
    if not sent:
        messages.error(
            request,
            _(
                "De e-mail aan %(username)s kon niet verstuurd worden (geen e-mailadres, of de mailserver "
                "weigerde). Probeer later opnieuw met ‘Uitnodiging opnieuw sturen’."
            )
            % {"username": username},
        )
    elif email_goes_to_console():
        messages.info(
            request,
            _(
                "Er is geen mailserver ingesteld: de e-mail met de link staat in het terminalvenster waarin de "
                "server draait (scripts/run.sh)."
            ),
        )


@require_POST
def team_invitation_resend(request, user_id: int):
    """A new link for a counsellor who has not chosen a password yet; every earlier link stops working."""
    member, _team = _manageable_or_404(request, user_id)
    if not services.invitation_pending(member):
        messages.error(
            request,
            _(
                "%(username)s heeft al een wachtwoord gekozen of is gedeactiveerd: er is geen uitnodiging om opnieuw "
                "te sturen."
            )
            % {"username": member.username},
        )
        return redirect("team:list")
    sent = services.invitation_send(actor=request.user, user=member, request=request)
    if sent:
        messages.success(
            request,
            _("Er is een nieuwe link gestuurd naar %(username)s; eerdere links werken niet meer.")
            % {"username": member.username},
        )
    _link_sent_message(request, sent, member.username)
    return redirect("team:list")


@require_POST
def team_deactivate(request, user_id: int):
    member, team = _manageable_or_404(request, user_id)
    services.counsellor_deactivate(coordinator=request.user, user=member, team=team)
    messages.success(request, _("Het account %(username)s is gedeactiveerd.") % {"username": member.username})
    return redirect("team:list")


@require_POST
def team_reset_two_factor(request, user_id: int):
    member, _team = _manageable_or_404(request, user_id)
    sent = services.two_factor_reset(actor=request.user, user=member, request=request)
    messages.success(
        request,
        _("De tweestapsverificatie en het wachtwoord van %(username)s zijn gewist.") % {"username": member.username},
    )
    if sent:
        messages.info(
            request,
            _(
                "%(username)s krijgt een e-mail met een link om een nieuw wachtwoord te kiezen en stelt daarna "
                "tweestapsverificatie opnieuw in; eerdere links werken niet meer."
            )
            % {"username": member.username},
        )
    _link_sent_message(request, sent, member.username)
    return redirect("team:list")
