from base64 import b32decode

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.management.commands.create_demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from accounts.models import Role, User


def test_demo_accounts_are_refused_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("create_demo_accounts")
    assert User.objects.count() == 0


def test_demo_accounts_one_per_role_idempotent_with_printed_secrets(db, settings, capsys):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("create_demo_accounts")
    out, err = capsys.readouterr()
    assert "DEMO ONLY" in err
    assert User.objects.count() == len(DEMO_ACCOUNTS)
    assert TOTPDevice.objects.filter(confirmed=True).count() == len(DEMO_ACCOUNTS)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for username, _role, teams, secret, _ in DEMO_ACCOUNTS:
        assert secret in out
        user = User.objects.get(username=username)
        assert sorted(user.teams_on().values_list("code", flat=True)) == sorted(teams)


def test_a_newcomer_logs_in_with_the_printed_secret(client, db, settings):
    settings.DEBUG = True
    call_command("create_demo_accounts", force=True)
    username, _role, _teams, secret, _ = DEMO_ACCOUNTS[0]
    assert client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD}).status_code == 302
    code = f"{totp(b32decode(secret)):06d}"
    assert client.post(reverse("accounts:otp-verify"), {"token": code}).status_code == 302
    assert client.get("/contacts/").status_code == 200


def test_force_runs_with_debug_off(db, settings):
    settings.DEBUG = False
    call_command("create_demo_accounts", force=True)
    assert User.objects.filter(role=Role.ADMINISTRATOR, is_staff=True).count() == 1
