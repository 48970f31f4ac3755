"""The load test's accounts: counsellors and coordinators with known passwords and TOTP secrets.

Shared by loadtest.build_db (which makes them, with Django) and the locustfile (which logs in as
them, without Django). For a load-test database only: the secrets are in this file.
"""

from __future__ import annotations

import base64
import hashlib

PASSWORD = "load-test-1712-only-here"
TEAMS = ("antwerpen", "limburg", "oost-vlaanderen", "noord-west-vlaanderen", "oost-brabant")
COUNSELLORS = [f"bench.hv.{n:02d}" for n in range(1, 51)]
COORDINATORS = ["bench.vc.01", "bench.vc.02"]


def team_of(username: str) -> str:
    return TEAMS[(int(username.rsplit(".", 1)[1]) - 1) % len(TEAMS)]


def secret_of(username: str) -> str:
    """The account's TOTP secret in base32 (what an authenticator app is given)."""
    return base64.b32encode(hashlib.sha256(f"load-test:{username}".encode()).digest()[:20]).decode()


def ensure_accounts() -> None:
    """Make (or reset) every load-test account: password, team, a confirmed TOTP device."""
    from datetime import date

    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Role, TeamMembership, User
    from registration.models import Team

    password = make_password(PASSWORD)
    wanted = [(name, Role.COUNSELLOR) for name in COUNSELLORS] + [(n, Role.FLEMISH_COORDINATOR) for n in COORDINATORS]
    for username, role in wanted:
        user, _ = User.objects.update_or_create(
            username=username, defaults={"role": role, "password": password, "is_active": True}
        )
        if role == Role.COUNSELLOR and not user.memberships.exists():
            team = Team.objects.get(code=team_of(username))
            TeamMembership.objects.create(user=user, team=team, valid_from=date(2012, 1, 1))
        TOTPDevice.objects.filter(user=user).delete()
        key = base64.b32decode(secret_of(username)).hex()
        TOTPDevice.objects.create(user=user, name="load test", confirmed=True, key=key)
    print(f"Accounts: {len(COUNSELLORS)} counsellors, {len(COORDINATORS)} Flemish coordinators", flush=True)
