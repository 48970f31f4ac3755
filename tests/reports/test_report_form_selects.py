"""The report page's selects are rendered in Python (registration.forms.Select): Django's HTML
to the byte, for every scope and with the errors a typed address can give."""

import pytest

from reports.forms import ReportForm
from reports.selectors.scope import ReportScope
from tests.registration.test_list_request_cost import _widget_html_both_ways

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scope", [ReportScope(), ReportScope(("antwerpen", "limburg"))])
@pytest.mark.parametrize(
    "data",
    [
        {"year_from": "2024"},
        {"year_from": "2024", "year_to": "2020", "team": "limburg", "cross_a": "problem", "cross_b": "problem"},
        {"year_from": "9999", "team": "<script>", "cross_a": "channel"},
    ],
)
def test_the_report_forms_selects_are_djangos_html(scope, data):
    form = ReportForm(data, scope=scope)
    form.is_valid()
    rendered = _widget_html_both_ways(form)
    assert {name for name, _fast, _slow in rendered} == {"year_from", "year_to", "team", "cross_a", "cross_b"}
    for name, fast, slow in rendered:
        assert fast == slow, name
