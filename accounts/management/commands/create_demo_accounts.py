"""Demo accounts, one per role, with a known password and a fixed TOTP secret.

FOR THE EMBEDDED DEMO ONLY: anyone who reads this file can log in as these accounts.
"""

from base64 import b32decode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, TeamMembership, User
from registration.models import Team

DEMO_PASSWORD = "demo-1712-helpline"

# username, role, teams, TOTP secret (base32, 160 bits), description
DEMO_ACCOUNTS = [
    (
        "hv.antwerpen",
        Role.COUNSELLOR,
        ["antwerpen"],
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXA",
        "Hulpverlener, team Antwerpen",
    ),
    ("hv.limburg", Role.COUNSELLOR, ["limburg"], "KRUGKIDROVUWG2ZAMJZG653OEBTG66BA", "Hulpverlener, team Limburg"),
    (
        "tc.antwerpen",
        Role.TEAM_COORDINATOR,
        ["antwerpen"],
        "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U",
        "Teamcoördinator Antwerpen",
    ),
    ("vlaams.coordinator", Role.FLEMISH_COORDINATOR, [], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "Vlaams coördinator"),
    ("beheerder", Role.ADMINISTRATOR, [], "ONSWG4TFORXXEZLTMVRXEZLUONSWG4TF", "Beheerder (Django-admin)"),
]

WARNING = (
    "DEMO ONLY: these accounts have a published password and published two-factor secrets. "
    "Never create them on a server with real data."
)


class Command(BaseCommand):
    help = "Create (or reset) one demo account per role with a fixed TOTP secret. Demo only."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    @transaction.atomic
    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create demo accounts with DEBUG off. " + WARNING + " Use --force to insist."
            )
        self.stderr.write(self.style.WARNING(WARNING))
        for username, role, team_codes, secret, description in DEMO_ACCOUNTS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "role": role,
                    "is_active": True,
                    "is_staff": role == Role.ADMINISTRATOR,
                    "is_superuser": role == Role.ADMINISTRATOR,
                    "first_name": description,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            for code in team_codes:
                # From the model's default: since the helpline started.
                TeamMembership.objects.get_or_create(user=user, team=Team.objects.get(code=code))
            TOTPDevice.objects.filter(user=user).exclude(name="demo").delete()
            TOTPDevice.objects.update_or_create(
                user=user,
                name="demo",
                defaults={
                    "key": b32decode(secret).hex(),
                    "confirmed": True,
                    "throttling_failure_count": 0,
                    "throttling_failure_timestamp": None,
                },
            )
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write("Add the secret to an authenticator app (time-based, 6 digits, 30 s):")
        for username, _role, _teams, secret, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<20} {secret}  {description}")
