from reports.suppression import suppress_table, suppressed_cells


def grid(counts):
    """A crossed table from a {(a, b): n} dict, in insertion order."""
    return {
        "dimensions": ["a", "b"],
        "total": sum(counts.values()),
        "rows": [{"code": list(k), "count": n} for k, n in counts.items()],
    }


def hidden(table):
    return {tuple(r["code"]) for r in table["rows"] if r.get("suppressed")}


def test_no_suppression_when_every_count_reaches_the_threshold():
    table = suppress_table(grid({("x", "p"): 5, ("x", "q"): 9, ("y", "p"): 12, ("y", "q"): 0}), 5)
    assert hidden(table) == set()
    assert table["suppression"]["cells"] == 0


def test_a_small_cell_takes_a_second_cell_in_its_row_and_column():
    counts = {("x", "p"): 2, ("x", "q"): 10, ("x", "r"): 30, ("y", "p"): 8, ("y", "q"): 20, ("y", "r"): 40}
    table = suppress_table(grid(counts), 5)
    # x-p is small; its row's smallest other is x-q, its column's is y-p; then y's row needs y-q.
    assert hidden(table) == {("x", "p"), ("x", "q"), ("y", "p"), ("y", "q")}
    for row in table["rows"]:
        if row.get("suppressed"):
            assert row["count"] is None
    assert "5" in table["suppression"]["note"]


def test_no_row_or_column_is_left_with_a_single_hidden_cell():
    counts = {
        (a, b): n
        for (a, b), n in zip([(a, b) for a in "xyz" for b in "pqr"], [1, 7, 9, 6, 3, 8, 10, 11, 4], strict=True)
    }
    table = grid(counts)
    suppress_table(table, 5)
    cells = hidden(table)
    for line in [{(a, b) for b in "pqr"} for a in "xyz"] + [{(a, b) for a in "xyz"} for b in "pqr"]:
        assert len(line & cells) != 1


def test_a_one_dimensional_table_hides_a_second_cell_and_its_shares():
    table = {
        "total": 23,
        "rows": [
            {"code": "antwerpen", "count": 3, "share": 13.04},
            {"code": "limburg", "count": 8, "share": 34.78},
            {"code": "oost-brabant", "count": 12, "share": 52.17},
        ],
    }
    suppress_table(table, 5)
    assert [r["count"] for r in table["rows"]] == [None, None, 12]
    assert [r["share"] for r in table["rows"]] == [None, None, 52.17]


def test_zero_counts_are_not_small_counts():
    assert suppressed_cells([0, 0, 7], [[0, 1, 2]], 5) == set()


def test_the_threshold_comes_from_the_settings(settings):
    settings.REPORT_SUPPRESSION_THRESHOLD = 3
    table = suppress_table(grid({("x", "p"): 3, ("x", "q"): 2, ("y", "p"): 4, ("y", "q"): 9}))
    assert table["suppression"]["threshold"] == 3
    # x-q is below 3; its row and column each need a second hidden cell.
    assert hidden(table) == {("x", "q"), ("x", "p"), ("y", "q"), ("y", "p")}
