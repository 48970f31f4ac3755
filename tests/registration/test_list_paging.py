"""The contact list at any size: keyset paging by an opaque cursor, a bounded count, constant queries."""

import base64
import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from registration import paging
from registration.models import Contact, Team
from registration.paging import Cursor
from tests.factories import ContactFactory, ReportedPersonFactory


def _contacts(n, *, team="antwerpen", day=None, moment=None, problem="child_abuse", **kwargs):
    team = Team.objects.get_or_create(code=team, defaults={"name": team})[0]
    made = []
    for i in range(n):
        contact = ContactFactory(team=team, started_on=day or date(2024, 3, 1), started_at=moment, **kwargs)
        ReportedPersonFactory(contact=contact, problem=problem if i % 2 else "partner_violence")
        made.append(contact)
    return made


def _next_link(response) -> str | None:
    match = re.search(r'<a href="([^"]+)" rel="next">', response.content.decode())
    return match and match[1].replace("&amp;", "&")


def _previous_link(response) -> str | None:
    match = re.search(r'<a href="([^"]+)" rel="prev">', response.content.decode())
    return match and match[1].replace("&amp;", "&")


def _shown(response) -> list[int]:
    return [c.pk for c in response.context["page"].object_list]


@pytest.fixture
def ties(db):
    """Contacts with ties: many on one day at one instant, some on that day without a time, other days."""
    moment = timezone.make_aware(datetime(2024, 3, 1, 10, 30))
    return [
        *_contacts(7, day=date(2024, 3, 2)),
        *_contacts(9, moment=moment),
        *_contacts(6, day=date(2024, 3, 1)),  # the same day, no time (a legacy record)
        *_contacts(4, moment=moment + timedelta(hours=1)),
        *_contacts(5, day=date(2024, 2, 28)),
        # Not the counsellor's: another team, and a deleted contact of their own team.
        *_contacts(3, team="limburg"),
        ContactFactory(team=Team.objects.get(code="antwerpen"), started_on=date(2024, 3, 1), deleted_at=timezone.now()),
    ]


def _expected_order(user_team="antwerpen"):
    """The list's order computed in Python: date desc, undated-time first within a day, time desc, id desc."""
    rows = Contact.objects.filter(team__code=user_team)
    undated = timezone.make_aware(datetime(2000, 1, 1))
    return [
        c.pk
        for c in sorted(
            rows,
            key=lambda c: (c.started_on, c.started_at is None, c.started_at or undated, c.pk),
            reverse=True,
        )
    ]


def test_keyset_paging_shows_every_contact_exactly_once_in_order_despite_ties(counsellor, login, settings, ties):
    settings.CONTACTS_PER_PAGE = 4
    client = login(counsellor)
    response = client.get("/contacts/")
    seen, numbers = [], []
    while True:
        assert response.status_code == 200
        seen += _shown(response)
        numbers.append(response.context["page"].number)
        link = _next_link(response)
        if link is None:
            break
        response = client.get("/contacts/" + link)
    assert seen == _expected_order()
    assert len(seen) == len(set(seen)) == 31
    assert numbers == list(range(1, 9))

    # And back again from the last page: the same pages, the same numbers, down to page 1.
    backward = []
    while (link := _previous_link(response)) is not None:
        response = client.get("/contacts/" + link)
        backward = _shown(response) + backward
        assert response.context["page"].number == numbers[-1 - len(backward) // 4]
    assert backward == _expected_order()[: len(backward)]
    assert len(backward) == 28
    assert response.context["page"].number == 1


def test_a_filtered_list_pages_by_cursor_and_keeps_its_filters(counsellor, login, settings, ties):
    settings.CONTACTS_PER_PAGE = 3
    client = login(counsellor)
    response = client.get("/contacts/?problem=child_abuse&date_from=2024-03-01")
    seen = _shown(response)
    while (link := _next_link(response)) is not None:
        assert parse_qs(urlsplit(link).query)["problem"] == ["child_abuse"]
        response = client.get("/contacts/" + link)
        seen += _shown(response)
    expected = [
        pk
        for pk in _expected_order()
        if Contact.objects.get(pk=pk).persons.filter(problem="child_abuse").exists()
        and Contact.objects.get(pk=pk).started_on >= date(2024, 3, 1)
    ]
    assert seen == expected and len(expected) == 12


def test_the_paging_links_carry_codes_dates_and_a_cursor_never_typed_text(counsellor, login, settings, ties):
    settings.CONTACTS_PER_PAGE = 5
    client = login(counsellor)
    typed = "Jan Peeters 0470 12 34 56"
    response = client.get("/contacts/", {"channel": "phone", "q": typed, "date_from": "2024-01-01"})
    link = _next_link(response)
    assert link is not None and "Peeters" not in link and "0470" not in link
    params = parse_qs(urlsplit(link).query)
    assert set(params) == {"channel", "date_from", "cursor"}
    # The cursor holds a direction, a date, an instant, an id and a page number: digits only.
    raw = base64.urlsafe_b64decode(params["cursor"][0] + "==").decode()
    assert re.fullmatch(r"[ab]\.\d{8}\.(\d+|-)\.\d+\.\d+", raw), raw
    assert typed not in response.content.decode().split("<table")[1]


def test_the_read_of_each_page_names_its_page_cursor_and_contacts(counsellor, login, settings, ties):
    settings.CONTACTS_PER_PAGE = 5
    client = login(counsellor)
    first = client.get("/contacts/?channel=phone")
    second = client.get("/contacts/" + _next_link(first))
    event = AuditEvent.objects.filter(action="contact_search").order_by("-id").first()
    cursor = parse_qs(urlsplit(_next_link(first)).query)["cursor"][0]
    assert event.details == {"channel": "phone", "page": 2, "cursor": cursor}
    assert sorted(event.contacts.values_list("contact_id", flat=True)) == sorted(_shown(second))


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        "a" * 5000,
        "Yi4yMDI0MTMwMS4tLjEuMQ",  # b.20241301.-.1.1: no 13th month
        "YS4yMDI0MDMwMS4tLjEuMQ",  # a.20240301.-.1.1: well-formed, made up
        "Yi45OTk5MDEwMS4tLjEuMQ",  # b.99990101.-.1.1: well-formed, nothing before it
    ],
)
def test_a_bad_or_made_up_cursor_stays_in_the_users_list(counsellor, login, settings, ties, cursor):
    settings.CONTACTS_PER_PAGE = 5
    client = login(counsellor)
    response = client.get(f"/contacts/?cursor={cursor}")
    assert response.status_code == 200
    # A made-up but well-formed cursor moves within the user's own list, never beyond its scope.
    assert set(_shown(response)) <= set(_expected_order())
    if not cursor.startswith("YS"):
        assert _shown(response) == _expected_order()[:5] and response.context["page"].number == 1


@pytest.mark.parametrize("cursor", ["%00", "%ED%A0%80", "YS4%00"])
def test_bad_bytes_in_the_cursor_are_refused_or_ignored(counsellor, login, ties, cursor):
    response = login(counsellor).get(f"/contacts/?cursor={cursor}")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.context["page"].number == 1


def test_page_numbers_still_work_for_the_first_pages(counsellor, login, settings, ties):
    settings.CONTACTS_PER_PAGE = 5
    client = login(counsellor)
    assert _shown(client.get("/contacts/?page=2")) == _expected_order()[5:10]
    last = client.get("/contacts/?page=99")
    assert last.context["page"].number == 7 and _shown(last) == _expected_order()[30:]
    assert _shown(client.get("/contacts/?page=-3")) == _expected_order()[:5]
    assert _shown(client.get("/contacts/?page=zwei")) == _expected_order()[:5]


def test_the_count_stops_at_the_limit(counsellor, login, settings, ties, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_LIMIT", 10)
    settings.CONTACTS_PER_PAGE = 4
    client = login(counsellor)
    response = client.get("/contacts/")
    page = response.context["page"]
    assert page.paginator.count == 11 and not page.count_exact and page.paginator.num_pages is None
    assert response.context["counts"]["count"] == "meer dan 10 contacten"
    assert "Pagina 1</span>" in response.content.decode()
    exact = client.get("/contacts/?date_from=2024-03-02")
    assert exact.context["page"].paginator.count == 7
    assert exact.context["counts"]["count"] == "7 contacten"


def test_cursor_round_trip_keeps_instant_and_date():
    moment = timezone.make_aware(datetime(2024, 3, 31, 1, 59, 59, 123456))
    cursor = Cursor(date(2024, 3, 31), moment, 42, 7, backward=True)
    assert Cursor.decode(cursor.encode()) == cursor
    undated = Cursor(date(2012, 1, 1), None, 1, 1)
    assert Cursor.decode(undated.encode()) == undated


@pytest.mark.parametrize(
    "query",
    ["", "?team=antwerpen&problem=child_abuse&date_from=2024-01-01&date_to=2024-03-31", "?cursor=PAGE2"],
)
def test_list_query_count_is_the_same_at_two_sizes(counsellor, login, settings, django_assert_max_num_queries, query):
    settings.CONTACTS_PER_PAGE = 10
    client = login(counsellor)

    def get():
        url = "/contacts/" + query
        if "PAGE2" in url:
            url = "/contacts/" + _next_link(client.get("/contacts/"))
        # session, user, device; teams, codes; count, page, persons; the read's audit event (one
        # statement); drafts; the session's save: 13 (tests/registration/test_list_request_cost.py).
        with django_assert_max_num_queries(13) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    _contacts(12)
    few = get()
    _contacts(60, day=date(2024, 2, 1))
    _contacts(40, day=date(2024, 2, 1), team="limburg")
    many = get()
    assert few == many
