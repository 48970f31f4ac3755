"""The main menu follows the access table: a role sees exactly the menu pages the gate lets it open."""

import re

import pytest
from django.urls import reverse

from accounts.navigation import MAIN_MENU

ROLES = ["counsellor", "coordinator", "flemish_coordinator", "administrator"]


def menu_links(client) -> list[str]:
    html = client.get(reverse("accounts:backup-codes")).content.decode()
    nav = re.search(r'<nav aria-label="Hoofdmenu">(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'href="([^"]+)"', nav)


def pages_the_gate_opens(client) -> list[str]:
    urls = [reverse(url_name) for url_name, _label in MAIN_MENU]
    return [url for url in urls if client.get(url).status_code != 403]


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_menu_shows_exactly_the_menu_pages_the_gate_lets_it_open(role, request, login):
    client = login(request.getfixturevalue(role))
    shown = menu_links(client)
    assert shown == pages_the_gate_opens(client)
    # Every role has a menu, and none has all of it: the comparison above can fail both ways.
    assert 0 < len(shown) < len(MAIN_MENU)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_starts_on_the_first_page_of_its_menu(role, request, login):
    client = login(request.getfixturevalue(role))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == menu_links(client)[0]


def test_every_menu_page_is_open_to_some_role(request, login):
    opened = set()
    for role in ROLES:
        opened.update(pages_the_gate_opens(login(request.getfixturevalue(role))))
    assert opened == {reverse(url_name) for url_name, _label in MAIN_MENU}


def test_a_user_without_verified_two_factor_sees_no_menu(login_unverified, counsellor):
    html = login_unverified(counsellor).get(reverse("accounts:otp-setup")).content.decode()
    assert "Hoofdmenu" not in html
