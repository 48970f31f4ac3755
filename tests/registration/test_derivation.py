from datetime import UTC, datetime

import pytest
from django.utils import timezone

from registration.derivation import Schedule, caller_role_for, within_opening_hours_for

pytestmark = pytest.mark.django_db


def brussels(*args):
    return timezone.make_aware(datetime(*args))


@pytest.mark.parametrize(
    ("relation", "role"),
    [
        ("1100", "victim"),
        ("2100", "perpetrator"),
        ("9999", "unknown"),
        (None, "unknown"),
        ("", "unknown"),
        ("1200", "bystander"),
        ("2200", "bystander"),
        ("3100", "bystander"),
        ("7000", "bystander"),
    ],
)
def test_caller_role_follows_the_relation_code(relation, role):
    assert caller_role_for(relation) == role


def test_a_new_relation_code_without_a_role_counts_as_bystander():
    from registration.models import Code

    Code.objects.create(list="caller_relation", code="8100", label_nl="nieuw", sort=99)
    assert caller_role_for("8100") == "bystander"


@pytest.mark.parametrize(
    ("channel", "moment", "expected"),
    [
        # Thursday 27 September 2018, 18:00: before the Thursday evening hours started.
        ("phone", (2018, 9, 27, 18, 0), "outside"),
        # Thursday 4 October 2018, 18:00: Thursday evening open from 2018-10-01.
        ("phone", (2018, 10, 4, 18, 0), "within"),
        ("phone", (2018, 10, 4, 19, 0), "outside"),
        # Wednesday 3 October 2018, 18:00: the evening hours are Thursday only.
        ("phone", (2018, 10, 3, 18, 0), "outside"),
        ("phone", (2018, 10, 3, 9, 0), "within"),
        ("phone", (2018, 10, 3, 8, 59), "outside"),
        # Saturday.
        ("phone", (2018, 10, 6, 10, 0), "outside"),
        # Easter Monday 2024 (1 April) is a public holiday: closed at 10:00.
        ("phone", (2024, 4, 1, 10, 0), "outside"),
        ("phone", (2024, 4, 2, 10, 0), "within"),
        # 2022 on: phone until 18:00.
        ("phone", (2024, 4, 2, 17, 30), "within"),
        ("phone", (2021, 4, 6, 17, 30), "outside"),
        # Chat: none before 2019; evening hours from September 2021, not on Fridays.
        ("chat", (2018, 5, 7, 14, 0), "outside"),
        ("chat", (2019, 5, 7, 14, 0), "within"),
        ("chat", (2021, 9, 6, 20, 0), "within"),
        ("chat", (2021, 9, 10, 20, 0), "outside"),
        # E-mail is always open, holidays included.
        ("email", (2024, 12, 25, 3, 0), "within"),
    ],
)
def test_within_opening_hours(channel, moment, expected):
    assert within_opening_hours_for(channel, brussels(*moment)) == expected


def test_opening_hours_are_judged_on_the_brussels_clock():
    # 07:30 UTC on 2 April 2024 is 09:30 in Brussels (CEST): open; 06:30 UTC is 08:30: not yet.
    assert within_opening_hours_for("phone", datetime(2024, 4, 2, 7, 30, tzinfo=UTC)) == "within"
    assert within_opening_hours_for("phone", datetime(2024, 4, 2, 6, 30, tzinfo=UTC)) == "outside"


def test_unknown_without_time_or_channel():
    assert within_opening_hours_for(None, brussels(2024, 4, 2, 10, 0)) == "unknown"
    assert within_opening_hours_for("phone", None) == "unknown"


def test_schedule_follows_edited_opening_hours():
    from registration.models import Closure

    moment = brussels(2024, 4, 3, 10, 0)
    assert Schedule.load().is_open("phone", timezone.localtime(moment))
    Closure.objects.create(date=moment.date(), name="Teamdag")
    assert not Schedule.load().is_open("phone", timezone.localtime(moment))


def test_relation_codes_have_english_labels():
    from django.utils import translation

    from registration.models import Code

    code = Code.objects.get(list="caller_relation", code="1100")
    with translation.override("en"):
        assert code.label == "the victim themself"
    with translation.override("nl-be"):
        assert code.label == "slachtoffer zelf"
