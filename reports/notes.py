"""Facts about what was recorded when, kept as data (reports/data/report_notes.json).

The code lists say when a code could be chosen; this file adds what the registration of the
time could not record (65+ callers before 2021) and the notes that go with the evolution over
the years (2012 and 2013 were registered in another system). An administrator edits the file,
not the code.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

NOTES_FILE = Path(__file__).parent / "data" / "report_notes.json"


@cache
def _notes() -> dict:
    return json.loads(NOTES_FILE.read_text(encoding="utf-8"))


def recorded_from(list_name: str, code: str) -> date | None:
    """The first day the registration could record this code, when that is later than its validity says."""
    for item in _notes()["not_recorded"]:
        if item["list"] == list_name and item["code"] == code:
            return date.fromisoformat(item["recorded_from"])
    return None


def evolution_notes(years) -> list[dict]:
    """The notes about any of these years of the evolution: {years, text} with the text in the active language."""
    shown = set(years)
    language = "en" if (get_language() or "nl").startswith("en") else "nl"
    return [
        {"years": sorted(shown & set(item["years"])), "text": item[language]}
        for item in _notes()["evolution_notes"]
        if shown & set(item["years"])
    ]
