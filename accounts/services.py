"""Writes for accounts: two-factor enrolment, backup codes, team management."""

import secrets

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_event

from .models import Role, TeamMembership, User

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


@transaction.atomic
def counsellor_invite(*, coordinator: User, team, username: str, first_name: str, last_name: str, email: str):
    """Create a counsellor account in the team; return (user, one-time initial password)."""
    password = secrets.token_urlsafe(12)
    user = User(username=username, first_name=first_name, last_name=last_name, email=email, role=Role.COUNSELLOR)
    user.set_password(password)
    user.save()
    TeamMembership.objects.create(user=user, team=team, valid_from=timezone.localdate())
    audit_event(coordinator, "account_invited", details={"user_id": user.pk, "team": team.code})
    return user, password


@transaction.atomic
def counsellor_deactivate(*, coordinator: User, user: User, team) -> None:
    """Deactivate the account (it can no longer log in) and end its sessions."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    _end_sessions(user)
    audit_event(coordinator, "account_deactivated", details={"user_id": user.pk, "team": team.code})


@transaction.atomic
def two_factor_reset(*, actor: User, user: User) -> None:
    """Remove every device of the user: the next login enrols a new one."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _end_sessions(user)
    audit_event(actor, "two_factor_reset", details={"user_id": user.pk})
