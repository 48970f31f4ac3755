"""Reads for accounts: two-factor state and the members of a coordinator's teams."""

from base64 import b32encode
from datetime import datetime

import qrcode
import qrcode.image.svg
from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from registration.models import Team

from .models import Role, User, membership_current_on


def totp_secret_base32(device: TOTPDevice) -> str:
    """Return the device's secret as the base32 text an authenticator app accepts."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_qr_svg(device: TOTPDevice) -> str:
    """Return an inline SVG QR code of the device's otpauth:// URL."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def two_factor_enrolled(user: User) -> bool:
    """Return whether the user has confirmed an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_locked_until(user: User) -> datetime | None:
    """Return when the user's throttled devices accept a code again, or None if they do."""
    return two_factor_throttle(user)[1]


def two_factor_throttle(user: User) -> tuple[int, datetime | None]:
    """Return the most wrong codes in a row on one of the user's devices, and until when a
    throttled device refuses every code (None: no device is waiting)."""
    failures, until = 0, None
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            failures = max(failures, device.throttling_failure_count)
            allowed, data = device.verify_is_allowed()
            if not allowed and data and data.get("locked_until"):
                until = max(until, data["locked_until"]) if until else data["locked_until"]
    return failures, until


def team_members(teams) -> QuerySet[User]:
    """Return the users with a current membership of the teams, by name."""
    return (
        User.objects.filter(membership_current_on(timezone.localdate()), memberships__team__in=teams)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def team_roster(coordinator: User) -> tuple[list[Team], list[dict]]:
    """Return the coordinator's teams and a row per member: user, enrolled, manageable."""
    teams = list(coordinator.teams_on())
    members = list(team_members(teams))
    enrolled = set(TOTPDevice.objects.filter(user__in=members, confirmed=True).values_list("user_id", flat=True))
    rows = [{"user": m, "enrolled": m.pk in enrolled, "manageable": m.role == Role.COUNSELLOR} for m in members]
    return teams, rows


def manageable_member(coordinator: User, user_id: int) -> tuple[User, Team] | None:
    """Return a counsellor of the coordinator's teams with the first team they share, or None.

    A coordinator manages counsellors only (never themselves or another coordinator) and never
    learns whether another account exists.
    """
    teams = coordinator.teams_on()
    member = team_members(teams).filter(pk=user_id, role=Role.COUNSELLOR).first()
    if member is None:
        return None
    return member, member.teams_on().filter(pk__in=teams.values("pk")).first()
