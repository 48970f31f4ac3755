"""Writes for accounts: two-factor enrolment, backup codes, team management."""

import logging
import smtplib

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_event

from .emails import invitation_email_send
from .models import Role, TeamMembership, User

logger = logging.getLogger(__name__)

BACKUP_DEVICE_NAME = "backup"


def totp_device_for_enrolment(user: User) -> TOTPDevice:
    """Return the user's unconfirmed TOTP device, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def backup_codes_generate(user: User) -> list[str]:
    """Replace the user's backup codes with fresh single-use ones and return them (shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def totp_enrolment_confirm(user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device if it accepts the token, drop any other, and return new backup codes
    (None: the token is wrong and nothing changed but the device's throttle)."""
    if not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_event(user, "two_factor_enrolled")
    return backup_codes_generate(user)


def two_factor_device_match(user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """Return the confirmed device that accepts the token (TOTP or a backup code), or None.

    A six-digit token is tried on the TOTP device only, anything else on the backup codes only,
    so a mistyped code counts against one device's throttle. A used backup code is deleted.
    The token comes from TokenForm, without spaces.
    """
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True):
        if device.verify_token(token if model is TOTPDevice else token.lower()):
            return device
    return None


def _end_sessions(user: User) -> None:
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()


def counsellor_invite(
    *, coordinator: User, team, username: str, first_name: str, last_name: str, email: str, request=None
) -> tuple[User, bool]:
    """Create a counsellor in the team with no usable password and mail them a single-use link;
    return (user, whether the mail went out). Nobody but the invitee ever knows their password."""
    with transaction.atomic():
        user = User(username=username, first_name=first_name, last_name=last_name, email=email, role=Role.COUNSELLOR)
        user.set_unusable_password()
        user.save()
        TeamMembership.objects.create(user=user, team=team, valid_from=timezone.localdate())
        audit_event(coordinator, "account_invited", details={"user_id": user.pk, "team": team.code})
    return user, invitation_send(actor=coordinator, user=user, request=request)


def invitation_send(*, actor: User, user: User, reason: str = "invitation", request=None) -> bool:
    """Void the user's password and every earlier link, mail a new single-use link; return whether
    the mail went out (False: no address, or the mail server refused; send again later)."""
    with transaction.atomic():
        # A new random unusable hash: the links already sent no longer match it (accounts/tokens.py).
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if not user.email:
        return False
    try:
        invitation_email_send(user, reason=reason, request=request)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("invitation mail not sent: user=%s error=%s", user.pk, type(error).__name__)
        return False
    audit_event(actor, "invitation_sent", details={"user_id": user.pk, "reason": reason})
    return True


def invitation_pending(user: User) -> bool:
    """Return whether the account still waits for its owner to choose a password."""
    return user.is_active and not user.has_usable_password()


@transaction.atomic
def invitation_password_set(*, user: User, password: str) -> None:
    """Set the password the invitee chose through their link (which stops working with it)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_event(user, "password_set", details={"user_id": user.pk})


@transaction.atomic
def password_change(*, user: User, password: str) -> None:
    """Replace the user's own password (the old one was checked by the form)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_event(user, "password_changed", details={"user_id": user.pk})


def backup_codes_regenerate(user: User, token: str) -> list[str] | None:
    """Return new backup codes if token is the current code of the user's authenticator app
    (None: refused, and the old backup codes still work)."""
    if not (token.isdigit() and len(token) == 6):
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        # verify_token refuses a code already used (the one of this login) and counts failures.
        if device.verify_token(token):
            codes = backup_codes_generate(user)
            audit_event(user, "backup_codes_regenerated", details={"user_id": user.pk})
            return codes
    return None


def totp_code_already_used(user: User, token: str) -> bool:
    """Return whether token is a current code of the user's app that was already accepted once
    (at this login, or by a double submit): django-otp refuses a code the second time."""
    if not (token.isdigit() and len(token) == 6):
        return False
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        for offset in range(-device.tolerance, device.tolerance + 1):
            totp.drift = device.drift + offset
            if totp.t() <= device.last_t and totp.token() == int(token):
                return True
    return False


@transaction.atomic
def counsellor_deactivate(*, coordinator: User, user: User, team) -> None:
    """Deactivate the account (it can no longer log in) and end its sessions."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    _end_sessions(user)
    audit_event(coordinator, "account_deactivated", details={"user_id": user.pk, "team": team.code})


def two_factor_reset(*, actor: User, user: User, request=None) -> bool:
    """Remove every device and void the password, end the user's sessions, and mail them a new
    single-use link; return whether the mail went out. Whoever resets cannot then log in as them."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        user.set_unusable_password()
        user.save(update_fields=["password"])
        _end_sessions(user)
        audit_event(actor, "two_factor_reset", details={"user_id": user.pk})
    if not user.is_active:
        return False
    return invitation_send(actor=actor, user=user, reason="two_factor_reset", request=request)


def sessions_end(user: User) -> None:
    """End every session of the user (an account deactivated in the admin)."""
    _end_sessions(user)
