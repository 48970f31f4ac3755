"""The demo generator's allocation arithmetic (registration/demo/allocation.py): no database."""

import random
from collections import Counter

import pytest

from registration.demo.allocation import assign, assign_multi, blend, fit_table, largest_remainder


def test_largest_remainder_gives_the_leftover_units_to_the_largest_fractions():
    # Quotas 3.5, 2.1 and 1.4 of 7: the floors give 6, the one left goes to the .5.
    assert largest_remainder({"a": 0.5, "b": 0.3, "c": 0.2}, 7) == {"a": 4, "b": 2, "c": 1}


def test_largest_remainder_breaks_a_tie_in_the_order_the_weights_are_listed():
    assert largest_remainder({"a": 1, "b": 1, "c": 1}, 10) == {"a": 4, "b": 3, "c": 3}
    assert largest_remainder({"c": 1, "b": 1, "a": 1}, 10) == {"c": 4, "b": 3, "a": 3}


def test_largest_remainder_keeps_a_zero_weight_at_zero_and_an_empty_field_as_a_key():
    assert largest_remainder({"yes": 47, "no": 25, "unknown": 0, None: 28}, 100) == {
        "yes": 47,
        "no": 25,
        "unknown": 0,
        None: 28,
    }


def test_largest_remainder_hits_a_published_total_to_the_unit():
    # 001's caller gender counts of 9.594, given as weights: they come back unchanged.
    counts = largest_remainder({"female": 6961, "male": 2451, "nonbinary_other": 48, "unknown": 134}, 9594)
    assert counts == {"female": 6961, "male": 2451, "nonbinary_other": 48, "unknown": 134}


def test_largest_remainder_of_nothing_is_zeros_and_of_no_weights_an_error():
    assert largest_remainder({"a": 1, "b": 3}, 0) == {"a": 0, "b": 0}
    with pytest.raises(ValueError, match="zero weights"):
        largest_remainder({"a": 0}, 5)


def test_fit_table_matches_both_the_row_sizes_and_the_target_shares():
    affinity = {("young", "chat"): 5.0}
    table = fit_table(
        {"young": 20, "old": 80}, {"chat": 30, "phone": 70}, lambda row, code: affinity.get((row, code), 1)
    )
    assert {row: round(sum(cells.values()), 6) for row, cells in table.items()} == {"young": 20, "old": 80}
    assert {code: round(table["young"][code] + table["old"][code], 6) for code in ("chat", "phone")} == {
        "chat": 30,
        "phone": 70,
    }
    # The affinity survives the fitting as the odds ratio of chat between the two rows.
    odds_ratio = (table["young"]["chat"] * table["old"]["phone"]) / (table["young"]["phone"] * table["old"]["chat"])
    assert odds_ratio == pytest.approx(5.0)


def test_assign_sets_exact_counts_in_a_shuffled_order_that_depends_on_the_seed():
    records = [{} for _ in range(100)]
    assign(random.Random(1), records, "channel", {"phone": 60, "chat": 27, "email": 13})
    assert Counter(r["channel"] for r in records) == {"phone": 60, "chat": 27, "email": 13}
    again = [{} for _ in range(100)]
    assign(random.Random(1), again, "channel", {"phone": 60, "chat": 27, "email": 13})
    other = [{} for _ in range(100)]
    assign(random.Random(2), other, "channel", {"phone": 60, "chat": 27, "email": 13})
    assert again == records
    assert other != records
    assert [r["channel"] for r in records[:60]] != ["phone"] * 60


def test_assign_with_exact_weights_per_group_keeps_each_groups_counts():
    records = [{"month": "01"} for _ in range(10)] + [{"month": "02"} for _ in range(5)]
    exact = {("01",): {"male": 3, "female": 7}, ("02",): {"male": 1, "female": 3, None: 1}}
    assign(random.Random(0), records, "gender", given=("month",), exact=exact)
    per_month = Counter((r["month"], r["gender"]) for r in records)
    assert per_month == {
        ("01", "male"): 3,
        ("01", "female"): 7,
        ("02", "male"): 1,
        ("02", "female"): 3,
        ("02", None): 1,
    }


def test_assign_with_an_affinity_keeps_the_overall_counts_and_leans_the_groups():
    records = [{"age_group": "minor"} for _ in range(100)] + [{"age_group": "adult"} for _ in range(900)]
    affinity = lambda group, code: 10.0 if group == ("minor",) and code == "chat" else 1.0  # noqa: E731
    assign(random.Random(0), records, "channel", {"phone": 70, "chat": 30}, given=("age_group",), affinity=affinity)
    assert Counter(r["channel"] for r in records) == {"phone": 700, "chat": 300}
    minors_on_chat = sum(1 for r in records if r["age_group"] == "minor" and r["channel"] == "chat")
    assert minors_on_chat > 60  # 30 without the affinity


def test_assign_multi_gives_distinct_codes_with_exact_counts_per_record_and_per_code():
    records = [{} for _ in range(100)]
    target = {"emotional": 50, "physical": 30, "economic": 20}
    assign_multi(random.Random(0), records, "forms", target, {1: 0.6, 2: 0.4}, lambda record, code: 1.0)
    assert Counter(len(r["forms"]) for r in records) == {1: 60, 2: 40}
    assert all(len(set(r["forms"])) == len(r["forms"]) for r in records)
    assert Counter(code for r in records for code in r["forms"]) == {"emotional": 70, "physical": 42, "economic": 28}


def test_assign_multi_hands_a_code_to_the_records_with_affinity_for_it_first():
    records = [{"problem": "elder_abuse"} for _ in range(50)] + [{"problem": "child_abuse"} for _ in range(50)]
    affinity = lambda record, code: 20.0 if record["problem"] == "elder_abuse" and code == "economic" else 1.0  # noqa: E731
    assign_multi(random.Random(0), records, "forms", {"economic": 50, "emotional": 50}, {1: 1.0}, affinity)
    economic = Counter(r["problem"] for r in records if r["forms"] == ["economic"])
    assert economic == {"elder_abuse": 45, "child_abuse": 5}


def test_assign_multi_refuses_more_mentions_of_a_code_than_records():
    records = [{} for _ in range(3)]
    with pytest.raises(ValueError, match="4 mentions of a for 3 persons"):
        assign_multi(random.Random(0), records, "forms", {"a": 2, "b": 1}, {2: 1.0}, lambda record, code: 1.0)


def test_blend_moves_from_the_first_weights_to_the_second_as_shares():
    a, b = {"phone": 90, "email": 10}, {"phone": 60, "chat": 40}
    assert blend(a, b, 0) == {"phone": 0.9, "email": 0.1, "chat": 0.0}
    assert blend(a, b, 1) == {"phone": 0.6, "email": 0.0, "chat": 0.4}
    assert blend(a, b, 0.5) == pytest.approx({"phone": 0.75, "email": 0.05, "chat": 0.2})
