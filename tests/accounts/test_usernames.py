"""Usernames in a safe alphabet, so no account can pass for a colleague's (issue 11)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import User
from accounts.validators import username_clean, username_in_use, username_validator
from tests.factories import UserFactory

INVITE = {"first_name": "An", "last_name": "Peeters", "email": "an@example.org"}
LOOKALIKE = (
    "Deze gebruikersnaam bevat een teken dat op een gewone letter lijkt maar het niet is, of een onzichtbaar "
    "teken (bijvoorbeeld een Cyrillische letter, een letter in brede schrijfwijze of een spatie zonder breedte)."
)
ALPHABET = "Gebruik alleen kleine letters a tot z, cijfers, een punt, een liggend streepje (_) of een koppelteken (-)."


@pytest.mark.parametrize("name", ["an.peeters", "hv_antwerpen-2", "abc", "a" * 150, "0.1-2_3"])
def test_safe_names_pass(name):
    username_validator(name)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("hv.\u0430ntwerpen", LOOKALIKE),  # Cyrillic а
        ("an\u200bpeeters", LOOKALIKE),  # zero-width space
        ("\uff41\uff4e.peeters", LOOKALIKE),  # fullwidth "an"
        ("\u212aim", LOOKALIKE),  # Kelvin sign, NFKC "K"
        ("jose\u0301", LOOKALIKE),  # combining accent
        ("caf\u00e9", LOOKALIKE),
        ("an\ud800x", LOOKALIKE),  # a lone surrogate
        ("an\U0001f600", LOOKALIKE),
        ("An.Peeters", ALPHABET),  # the validator wants it stored lowercase
        ("an peeters", ALPHABET),
        ("an@peeters", ALPHABET),
        ("an\x00peeters", ALPHABET),
        ("", ALPHABET),
    ],
)
def test_unsafe_names_are_refused_with_a_dutch_message(name, message):
    with pytest.raises(ValidationError) as refused:
        username_validator(name)
    assert refused.value.messages == [message]


@pytest.mark.parametrize("name", ["ab", "a" * 151, "a" * 100_000])
def test_a_name_has_3_to_150_characters(name):
    with pytest.raises(ValidationError) as refused:
        username_validator(name)
    assert refused.value.messages == ["Een gebruikersnaam telt 3 tot 150 tekens."]


def test_non_text_is_refused():
    with pytest.raises(ValidationError):
        username_validator(None)


def test_clean_lowercases_ascii_only():
    assert username_clean("  An.Peeters ") == "an.peeters"
    with pytest.raises(ValidationError):
        username_clean("\u212aIM")  # a plain "kim" after lowercasing: refused, not quietly turned into one


def test_the_invite_form_stores_the_name_lowercase(login, coordinator, mailoutbox):
    response = login(coordinator).post(reverse("team:invite"), {"username": "An.Peeters", **INVITE})
    assert response.status_code == 200
    assert User.objects.filter(username="an.peeters").exists()


@pytest.mark.parametrize("name", ["counsellor_\u0430", "coun\u200bsellor_a", "\uff43ounsellor_a", "COUNSELLOR_A"])
def test_the_invite_form_refuses_look_alikes_and_case_variants_next_to_the_field(login, coordinator, counsellor, name):
    response = login(coordinator).post(reverse("team:invite"), {"username": name, **INVITE})
    assert response.status_code == 200
    errors = response.context["form"].errors["username"]
    assert errors in ([LOOKALIKE], ["Deze gebruikersnaam is al in gebruik."])
    html = response.content.decode()
    assert 'id="id_username_error"' in html and 'aria-invalid="true"' in html
    assert User.objects.count() == 2  # the coordinator and counsellor_a only


def test_a_name_equal_to_an_old_unsafe_one_after_nfkc_and_case_is_taken(db):
    # Accounts made before this check may hold anything; a new safe name must not pass for them.
    UserFactory(username="\uff2a\uff41\uff4e")  # fullwidth "Jan"
    UserFactory(username="piet\u200b")
    UserFactory(username="Mia")
    assert username_in_use("jan") and username_in_use("piet") and username_in_use("mia")
    assert not username_in_use("jana")


def test_a_name_is_not_in_use_by_the_account_itself(db):
    user = UserFactory(username="an.peeters")
    assert username_in_use("an.peeters")
    assert not username_in_use("an.peeters", exclude_pk=user.pk)


def test_the_demo_accounts_names_are_safe():
    from accounts.management.commands.create_demo_accounts import DEMO_ACCOUNTS

    for username, *_rest in DEMO_ACCOUNTS:
        username_validator(username)
