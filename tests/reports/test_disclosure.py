"""Cell-key perturbation: the shipped p-table, lookups computed by hand, and a table published."""

import csv
import gzip
import hashlib
import io

import pytest
from django.utils import translation

from reports import disclosure
from reports.selectors.publication import perturb_table

# The sha256 of ptable_10_5_rule.csv in the RECORD of the wheel cell_key_perturbation-3.1.0
# (BdjszKlLaUP4s2SEo2kY3EECXugVEpOSOkblyDeEN1E, urlsafe base64), written out in hex.
ONS_PTABLE_SHA256 = "05d8eccca94b6943f8b36484a36918dc41025ee8151293923a46e5c837843751"


def csv_rows():
    with gzip.open(disclosure.PTABLE_FILE, "rb") as handle:
        raw = handle.read()
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8"))))


def test_the_shipped_ptable_is_the_ons_file_byte_for_byte():
    raw, rows = csv_rows()
    assert hashlib.sha256(raw).hexdigest() == ONS_PTABLE_SHA256
    assert rows[0] == ["pcv", "ckey", "pvalue"]
    assert len(rows) == 1 + 750 * 256
    assert {int(r[0]) for r in rows[1:]} == set(range(1, 751))
    assert {int(r[1]) for r in rows[1:]} == set(range(256))


def test_the_loaded_ptable_holds_every_row_of_the_file():
    _raw, rows = csv_rows()
    table = disclosure.ptable()
    assert all(table[int(pcv)][int(ckey)] == int(pvalue) for pcv, ckey, pvalue in rows[1:])
    # Row 0 (a cell without records) perturbs nothing.
    assert set(table[0]) == {0}


def test_this_ptable_depends_on_the_count_alone():
    """What the README says of it: 1–9 become 0, every larger count is rounded to a multiple of 5."""
    _raw, rows = csv_rows()
    outcomes: dict[int, set] = {}
    for pcv, _ckey, pvalue in rows[1:]:
        outcomes.setdefault(int(pcv), set()).add(int(pcv) + int(pvalue))
    assert all(len(values) == 1 for values in outcomes.values())
    assert {pcv: values.pop() for pcv, values in outcomes.items() if pcv in (1, 9, 10, 12, 13, 17, 18, 748)} == {
        1: 0,
        9: 0,
        10: 10,
        12: 10,
        13: 15,
        17: 15,
        18: 20,
        748: 750,
    }


@pytest.mark.parametrize(
    ("count", "key_sum", "expected"),
    [
        # Read off the CSV by hand: row (pcv, ckey) -> pvalue.
        (1, 0, 0),  # 1,0,-1
        (9, 255, 0),  # 9,255,-9
        (10, 17, 10),  # 10,17,0
        (12, 200, 10),  # 12,200,-2
        (13, 7, 15),  # 13,7,2
        (13, 256 + 7, 15),  # the cell key is the key sum mod 256
        (14, 99, 15),  # 14,99,1
        (750, 255, 750),  # 750,255,0
        # Above 750 the ONS reuses rows 501–750: pcv = (count - 1) % 250 + 501.
        (751, 3, 750),  # pcv 501: 501,3,-1
        (1003, 40, 1005),  # pcv 503: 503,40,2
        (9594, 1234, 9595),  # pcv 594: 594,210,1
    ],
)
def test_perturbation_is_the_ptable_lookup(count, key_sum, expected):
    assert disclosure.perturb(count, key_sum) == expected


def test_a_cell_without_records_stays_zero_and_shows_below_the_threshold_like_a_small_one():
    assert disclosure.perturb(0, 123) == 0
    assert disclosure.published(0, 0) == {"count": None, "below_threshold": True}
    assert disclosure.published(4, 77) == {"count": None, "below_threshold": True}
    assert disclosure.published(11, 77) == {"count": 10}


def test_a_below_threshold_cell_reads_less_than_ten_in_both_languages():
    with translation.override("nl-be"):
        assert disclosure.cell_display({"count": None, "below_threshold": True}) == "< 10"
        assert disclosure.cell_display({"count": 1235}) == "1.235"
    with translation.override("en"):
        assert disclosure.cell_display({"count": 1235}) == "1,235"


def test_a_crossed_table_is_published_cell_by_cell_with_its_margins_as_cells_of_their_own():
    table = {
        "unit": "contact",
        "dimensions": ["month", "channel"],
        "total": 59,
        "rows": [
            {"code": ["01", "phone"], "count": 22},
            {"code": ["01", "chat"], "count": 4},
            {"code": ["02", "phone"], "count": 33},
            {"code": ["02", "chat"], "count": 0},
        ],
    }
    keys = {("01", "phone"): 1000, ("01", "chat"): 300, ("02", "phone"): 12, ("02", "chat"): 0}
    perturb_table(table, keys)
    # 22 -> 20, 4 -> below the threshold, 33 -> 35, 0 -> below the threshold.
    assert [(r["code"], r["count"], r.get("below_threshold", False)) for r in table["rows"]] == [
        (["01", "phone"], 20, False),
        (["01", "chat"], None, True),
        (["02", "phone"], 35, False),
        (["02", "chat"], None, True),
    ]
    # Each margin is its records' count perturbed, not a sum of published cells: January 26 -> 25,
    # February 33 -> 35, phone 55 -> 55, chat 4 -> below; the total 59 -> 60 where the published
    # cells add up to 55 and a "< 10".
    assert table["margins"] == {
        "rows": [{"code": "01", "count": 25}, {"code": "02", "count": 35}],
        "columns": [{"code": "phone", "count": 55}, {"code": "chat", "count": None, "below_threshold": True}],
    }
    assert table["total"] == 60
    assert table["perturbed"] is True


def test_shares_are_those_of_the_published_counts():
    table = {
        "unit": "person",
        "total": 48,
        "rows": [
            {"code": "female", "share": 0.0, "count": 31},
            {"code": "male", "share": 0.0, "count": 13},
            {"code": None, "share": 0.0, "count": 4},
        ],
    }
    perturb_table(table, {"female": 5, "male": 6, None: 7})
    # 31 -> 30, 13 -> 15, 4 -> < 10; total 48 -> 50; shares of 50.
    assert [(r["count"], r["share"]) for r in table["rows"]] == [(30, 60.0), (15, 30.0), (None, None)]
    assert table["total"] == 50


def test_a_note_under_every_perturbed_table_and_none_under_an_exact_one():
    with translation.override("nl-be"):
        note = disclosure.table_note({"perturbed": True})
    assert "< 10" in note
    assert "totaal" in note.lower()
    assert disclosure.table_note({"rows": []}) == ""
