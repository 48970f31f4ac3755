"""Load the code lists, teams, opening hours and closures from the data files.

Used by the data migration (with historical models) so that `migrate` alone gives a
working database. Existing rows are left as an administrator edited them: loading only
adds what is missing.
"""

import json
from datetime import date, time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
HELPLINE_START = date(2012, 1, 1)
CLOSURE_YEARS = range(2012, 2041)


def read_json(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_all(Team, Code, OpeningHours, Closure) -> None:
    lists = read_json("code_lists.json")
    extra = read_json("extra_lists.json")
    for sort, team in enumerate(lists["teams"], start=1):
        Team.objects.get_or_create(code=team["code"], defaults={"name": team["name"], "sort": sort})

    labels_en = extra["labels_en"]
    existing = set(Code.objects.values_list("list", "code"))
    new_codes = []
    for list_name, codes in [*lists["lists"].items(), *extra["lists"].items()]:
        for item in codes:
            if (list_name, item["code"]) in existing:
                continue
            new_codes.append(
                Code(
                    list=list_name,
                    code=item["code"],
                    label_nl=item["label_nl"],
                    label_en=item.get("label_en") or labels_en.get(list_name, {}).get(item["code"], ""),
                    group_nl=item.get("group_nl", ""),
                    rollup=item.get("series") or item.get("rollup") or item.get("relation_group") or "",
                    caller_role=item.get("caller_role", ""),
                    sort=item["sort"],
                    valid_from=item.get("valid_from"),
                    valid_until=item.get("valid_until"),
                )
            )
    Code.objects.bulk_create(new_codes)

    if not OpeningHours.objects.exists():
        rows = []
        for period in lists["opening_hours"]:
            common = {
                "channel": period["channel"],
                "valid_from": date.fromisoformat(period["valid_from"]),
                "assumed": period["assumed"],
            }
            if period["slots"] == "always":
                rows.append(OpeningHours(always=True, **common))
                continue
            for slot in period["slots"]:
                rows.append(
                    OpeningHours(
                        weekday=slot["weekday"],
                        opens=time.fromisoformat(slot["opens"]),
                        closes=time.fromisoformat(slot["closes"]),
                        **common,
                    )
                )
        OpeningHours.objects.bulk_create(rows)

    if not Closure.objects.exists():
        import holidays

        be = holidays.country_holidays("BE", years=CLOSURE_YEARS, language="nl")
        Closure.objects.bulk_create([Closure(date=day, name=name) for day, name in sorted(be.items())])
