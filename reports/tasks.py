"""Celery tasks: thin wrappers around services. They take ids and filters, never free text."""

from datetime import date

from celery import shared_task
from django.core.cache import cache
from django.utils import translation

from .exporters import render_xlsx
from .selectors import ReportFilter, yearly_evolution
from .selectors.publication import publication_for
from .selectors.tables import REPORT_LANGUAGE
from .services import report_run

EXPORT_TTL = 60 * 30


@shared_task
def rebuild_cube() -> int:
    """Count the pre-aggregated counts again from the registrations (reports.cube.rebuild): after a
    load with the database triggers off. Never needed after a save or an import, which add their
    own deltas. Returns the number of cells."""
    from . import cube

    return cube.rebuild()


def export_key(export_id: str, part: str = "state") -> str:
    return f"reports:export:{export_id}:{part}"


@shared_task
def report_xlsx_export(
    export_id: str,
    user_id: int,
    start: str,
    end: str,
    team_codes: list[str] | None,
    publish: bool,
    language: str = REPORT_LANGUAGE,
    crosses: list[list[str]] | None = None,
) -> str:
    """Build the whole report as XLSX and keep it in the cache for its owner to download."""
    with translation.override(language):
        return _xlsx_export(export_id, user_id, start, end, team_codes, publish, language, crosses or [])


def _xlsx_export(export_id, user_id, start, end, team_codes, publish, language, crosses) -> str:
    from accounts.models import User

    state = {"owner": user_id, "status": "running", "progress": 5}
    cache.set(export_key(export_id), state, EXPORT_TTL)
    report_filter = ReportFilter(
        date.fromisoformat(start), date.fromisoformat(end), tuple(team_codes) if team_codes is not None else None
    )
    user = User.objects.get(pk=user_id)
    report = report_run(
        report_filter,
        actor=user,
        via="web",
        publish=publish,
        fmt="xlsx",
        extra_crosses=[tuple(pair) for pair in crosses],
        language=language,
    )
    state["progress"] = 50
    cache.set(export_key(export_id), state, EXPORT_TTL)

    def progress(done: int, total: int) -> None:
        if done % 10 == 0:
            cache.set(export_key(export_id), {**state, "progress": 50 + 45 * done // total}, EXPORT_TTL)

    # The evolution as the user may see it: for the Flemish coordinator closed months, and perturbed per team.
    evolution = yearly_evolution(report_filter.team_codes, publication=publication_for(user))
    content = render_xlsx(report, progress=progress, evolution=evolution)
    cache.set(export_key(export_id, "file"), content, EXPORT_TTL)
    team = "-".join(team_codes) if team_codes else "vlaanderen"
    filename = f"1712-rapport-{start}-{end}-{team}{'-publicatie' if publish else ''}.xlsx"
    cache.set(export_key(export_id), {**state, "status": "done", "progress": 100, "filename": filename}, EXPORT_TTL)
    return export_id
