"""The code lists as the report page names them: each code's group, in the active language."""

from __future__ import annotations

from registration.models import Code


def code_groups(list_name: str) -> dict[str, str]:
    """Each code of a list with the heading of its group (e.g. the relation list's "Cultuur"); one query."""
    return {c.code: c.group for c in Code.objects.filter(list=list_name).order_by("sort", "code")}
