"""Reading the figures: who may report on what, the grouped counts, and the report's tables.

- scope: a user's report scope, and the period and teams of one report;
- counting: one grouped query per grouping of dimensions (reports.dimensions), live or pre-aggregated;
- tables: which tables a report has, and each as rows {code, label, count, share}.
"""

from .counting import Grouping, ReportContext
from .scope import ReportFilter, ReportScope, parse_period, report_scope_for
from .tables import (
    CROSS_TABLES,
    SINGLE_TABLES,
    YEAR_TABLES,
    build_report,
    report_tables,
    share,
    standard_groupings,
    yearly_evolution,
)

__all__ = [
    "CROSS_TABLES",
    "SINGLE_TABLES",
    "YEAR_TABLES",
    "Grouping",
    "ReportContext",
    "ReportFilter",
    "ReportScope",
    "build_report",
    "parse_period",
    "report_scope_for",
    "report_tables",
    "share",
    "standard_groupings",
    "yearly_evolution",
]
