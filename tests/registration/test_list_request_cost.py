"""What a list page costs, whatever the size: its queries, the plan-friendly scope, the form's selects.

Figures, never times: the number of queries at two sizes, the shape of the list's SQL (team ids
named, no membership subquery), and the selects rendered in Python equal to Django's templates.
"""

from datetime import date

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import TeamMembership
from registration.forms import ContactFilterForm, PythonRenderedSelect, build_forms
from registration.models import Contact, Team
from tests.factories import ContactFactory, ReportedPersonFactory
from tests.query_counts import AUDIT_READ, CODES

pytestmark = pytest.mark.django_db


def _contacts(n, *, team="antwerpen", problem="child_abuse", day=date(2024, 3, 1)):
    team = Team.objects.get(code=team)
    for i in range(n):
        contact = ContactFactory(team=team, started_on=day)
        ReportedPersonFactory(contact=contact, problem=problem if i % 2 else "partner_violence")


FILTERED = "/contacts/?team=antwerpen&problem=child_abuse&date_from=2024-01-01&date_to=2024-03-31"


LIST_QUERIES = 8 + CODES + AUDIT_READ


@pytest.mark.parametrize("query", ["/contacts/", FILTERED])
def test_the_list_names_the_users_team_ids_not_a_membership_subquery(counsellor, login, query):
    """The count and the page say team_id = <id>: PostgreSQL plans for that team's rows (issue 13)."""
    client = login(counsellor)
    _contacts(3)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(query)
    # Of the three, the odd one has child abuse (the filter's problem).
    assert response.status_code == 200 and len(response.context["rows"]) == (1 if query == FILTERED else 3)
    team_id = Team.objects.get(code="antwerpen").pk
    listing = [q["sql"] for q in captured.captured_queries if 'FROM "registration_contact"' in q["sql"]]
    assert listing, "the list read no contacts"
    for sql in listing:
        assert "accounts_teammembership" not in sql
        assert f'"registration_contact"."team_id" = {team_id}' in sql


def test_the_scope_still_holds_with_team_ids(counsellor, login):
    """Two teams: both listed; a team the user left, or never had, is not; the filter refuses it."""
    _contacts(2, team="antwerpen")
    _contacts(3, team="limburg")
    _contacts(4, team="oost-vlaanderen")
    client = login(counsellor)
    assert client.get("/contacts/").context["page"].paginator.count == 2
    TeamMembership.objects.create(user=counsellor, team=Team.objects.get(code="limburg"))
    assert client.get("/contacts/").context["page"].paginator.count == 5
    assert client.get("/contacts/?team=limburg").context["page"].paginator.count == 3
    refused = client.get("/contacts/?team=oost-vlaanderen")
    assert refused.context["filters"].errors and refused.context["page"].paginator.count == 0
    TeamMembership.objects.filter(user=counsellor, team__code="limburg").update(valid_until=date(2020, 1, 1))
    assert client.get("/contacts/").context["page"].paginator.count == 2
    assert all(c.team.code == "antwerpen" for c in client.get("/contacts/").context["page"])


@pytest.mark.parametrize("query", ["/contacts/", FILTERED, "/contacts/?page=2"])
def test_list_query_count_is_exact_and_constant(counsellor, login, settings, django_assert_num_queries, query):
    # session, user, device; teams, codes; count, page (ids and rows), persons; the audit event with
    # its contacts; open drafts. No session save: the gate saves it when it moves the idle clock.
    settings.CONTACTS_PER_PAGE = 5
    client = login(counsellor)
    _contacts(12)
    with django_assert_num_queries(LIST_QUERIES) as few:
        assert client.get(query).status_code == 200
    _contacts(80)
    _contacts(30, team="limburg")
    with django_assert_num_queries(LIST_QUERIES) as many:
        assert client.get(query).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_list_reads_only_the_columns_it_shows(counsellor, login):
    client = login(counsellor)
    _contacts(2)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/contacts/")
    rows = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "registration_contact"."id"')]
    assert rows and all('"caller_relation"' not in sql and '"external_id"' not in sql for sql in rows)
    # And the rows still show everything (no query per row for a deferred column).
    assert [row["channel"] for row in response.context["rows"]] == ["Telefoon", "Telefoon"]


def _widget_html_both_ways(form: forms.Form) -> list[tuple[str, str, str]]:
    """(field, Python-rendered HTML, Django-template-rendered HTML) for every Python-rendered select."""
    shown = []
    for bound in form:
        widget = bound.field.widget
        if not isinstance(widget, PythonRenderedSelect):
            continue
        fast = bound.as_widget()
        widget.render = lambda *args, _w=widget, **kwargs: forms.Widget.render(_w, *args, **kwargs)
        try:
            slow = bound.as_widget()
        finally:
            del widget.render
        shown.append((bound.name, fast, slow))
    return shown


def test_python_rendered_selects_are_djangos_html_to_the_byte(counsellor):
    """Every select of the registration form, its persons and the list's filters, bound with errors."""
    contact = ContactFactory(team=Team.objects.get(code="antwerpen"), created_by=counsellor)
    data = {
        "started_date": "2024-03-14",
        "channel": "phone",
        "team": "antwerpen",
        "caller_relation": "1200",
        "follow_up_of": str(contact.uuid),
        "concerning": "not-a-value",
        "persons-TOTAL_FORMS": "2",
        "persons-INITIAL_FORMS": "0",
        "persons-0-problem": "child_abuse",
        "persons-0-violence_forms": ["emotional_violence", "physical_violence"],
        "persons-0-referrals": ["caw"],
        "persons-1-age": "not-a-code",
    }
    form, formset = build_forms(counsellor, data=data)
    form.is_valid()
    formset.is_valid()
    blank, blank_persons = build_forms(counsellor, initial={"channel": "phone"})
    filters = ContactFilterForm({"problem": "child_abuse", "date_from": "x"}, user=counsellor)
    filters.is_valid()
    rendered = []
    for each in (form, *formset.forms, formset.empty_form, blank, blank_persons.empty_form, filters):
        rendered += _widget_html_both_ways(each)
    names = {name for name, _fast, _slow in rendered}
    # The grouped list, the multiple selects with search words, the handling and filter selects.
    assert {"caller_relation", "violence_forms", "referrals", "concerning", "follow_up_of", "problem"} <= names
    assert any("<optgroup" in fast for _n, fast, _s in rendered)
    assert any("data-search=" in fast and " selected>" in fast for _n, fast, _s in rendered)
    assert any('aria-invalid="true"' in fast for _n, fast, _s in rendered)
    for name, fast, slow in rendered:
        assert fast == slow, name


def test_a_label_with_markup_is_escaped_in_a_python_rendered_select(counsellor):
    filters = ContactFilterForm(None, user=counsellor)
    filters.fields["team"].choices = [("", "Alle"), ('a"b', "<b>team & co</b>")]
    html = str(filters["team"])
    assert '<option value="a&quot;b">&lt;b&gt;team &amp; co&lt;/b&gt;</option>' in html
    assert "<b>" not in html


def test_a_saved_contact_shows_in_the_list_with_the_columns_read(counsellor, login):
    """The list reads a subset of the columns: a contact saved by the form shows with its labels."""
    client = login(counsellor)
    client.post("/contacts/new/", _form())
    row = client.get("/contacts/").context["rows"][0]
    team = Team.objects.get(code="antwerpen").name
    assert (row["date"], row["time"], row["channel"], row["team"]) == ("14/03/2024", "10:32", "Telefoon", team)
    assert row["problems"] == ["Kindermishandeling"] and row["status"] == Contact.Status.COMPLETE.label


def _form():
    from tests.registration.test_views import form_data

    return form_data()
