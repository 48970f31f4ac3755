"""Report runs: build, optionally suppress, record in the audit trail."""

from __future__ import annotations

from audit.services import audit_event

from .selectors import ReportFilter, build_report
from .suppression import suppress_report


def report_run(
    report_filter: ReportFilter,
    *,
    actor=None,
    via: str = "web",
    publish: bool = False,
    fmt: str = "json",
    extra_crosses=(),
) -> dict:
    """Return the report for a filter (suppressed in publication mode) and record the run."""
    report = build_report(report_filter, extra_crosses=extra_crosses)
    if publish:
        suppress_report(report)
    audit_event(
        actor,
        "report",
        via=via,
        details={
            "from": report_filter.start.isoformat(),
            "to": report_filter.end.isoformat(),
            "teams": list(report_filter.team_codes) if report_filter.team_codes is not None else None,
            "format": fmt,
            "publish": publish,
        },
    )
    return report
