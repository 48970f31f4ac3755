"""Report runs: build as the reader may see it, record in the audit trail."""

from __future__ import annotations

from audit.services import audit_event

from .selectors import ReportFilter, build_report
from .selectors.publication import publication_for
from .selectors.tables import REPORT_LANGUAGE


def report_run(
    report_filter: ReportFilter,
    *,
    actor=None,
    via: str = "web",
    publish: bool = False,
    fmt: str = "json",
    extra_crosses=(),
    language: str = REPORT_LANGUAGE,
) -> dict:
    """Return the report for a filter as `actor` may see it and record the run.

    Who sees what is reports.selectors.publication's: the Flemish coordinator always under the
    publication rule (closed months; crossed, per-team and one-team tables perturbed), a team
    coordinator exact, the command line (no actor) exact unless `publish`. A period without a
    closed month raises reports.selectors.publication.OpenPeriod under the rule.
    `language` names the labels: the JSON's are Dutch; the page, CSV and XLSX follow the reader.
    """
    publication = publication_for(actor, publish=publish)
    report = build_report(report_filter, extra_crosses=extra_crosses, language=language, publication=publication)
    audit_event(
        actor,
        "report",
        via=via,
        details={
            "from": report["period"]["from"],
            "to": report["period"]["to"],
            "teams": list(report_filter.team_codes) if report_filter.team_codes is not None else None,
            "format": fmt,
            "publish": publication is not None,
            **({"crosses": [f"{a}_x_{b}" for a, b in extra_crosses]} if extra_crosses else {}),
        },
    )
    return report
