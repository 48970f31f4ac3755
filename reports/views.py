"""The report page, its downloads and the XLSX export's progress page."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .exporters import table_csv
from .forms import ReportForm
from .presentation import evolution_charts, headline, present_table, sections
from .selectors import report_scope_for, yearly_evolution
from .services import report_run
from .tasks import EXPORT_TTL, export_key, report_xlsx_export

FORM_FIELDS = ["year_from", "year_to", "team", "publish", "cross_a", "cross_b"]


def _bound_form(request, data: QueryDict, scope, evolution):
    """The report form, bound to the request's choices or to sensible defaults."""
    if not any(name in data for name in FORM_FIELDS):
        data = QueryDict(mutable=True)
        last_complete = timezone.localdate().year - 1
        years = [row["year"] for row in evolution if row["year"] <= last_complete]
        data["year_from"] = str(years[-1] if years else last_complete)
    if scope is not None and not data.get("team"):
        # A team coordinator's report is always for their own team.
        data = data.copy()
        data["team"] = scope[0]
    return ReportForm(data, scope=scope)


def _query(form) -> str:
    data = QueryDict(mutable=True)
    for name in FORM_FIELDS:
        value = form.cleaned_data.get(name)
        if value not in (None, "", False):
            data[name] = "1" if value is True else str(value)
    return data.urlencode()


def _api_url(report_filter, form) -> str:
    period = str(report_filter.start.year)
    if report_filter.is_range:
        period += f"-{report_filter.end.year}"
    data = QueryDict(mutable=True)
    if form.cleaned_data.get("team"):
        data["team"] = form.cleaned_data["team"]
    if form.cleaned_data.get("publish"):
        data["publish"] = "1"
    url = reverse("reports:api-report", args=[period])
    return f"{url}?{data.urlencode()}" if data else url


@login_required
def report_page(request):
    scope = report_scope_for(request.user)
    evolution = yearly_evolution(scope)
    form = _bound_form(request, request.GET, scope, evolution)
    context = {"form": form, "scope_is_all": scope is None}
    # A bad crossed-table choice is shown next to its field; the report itself still shows.
    if not form.is_valid() and set(form.errors) - {"cross_a", "cross_b"}:
        return render(request, "reports/report.html", context, status=200)
    report_filter = form.report_filter()
    cross = form.cross()
    publish = form.cleaned_data["publish"]
    report = report_run(
        report_filter,
        actor=request.user,
        via="web",
        publish=publish,
        fmt="html",
        extra_crosses=[cross] if cross else [],
    )
    tables = report["tables"]
    year = None if report_filter.is_range else report_filter.start.year
    if not report_filter.is_range:
        shown_evolution = evolution
    else:
        shown_evolution = [
            row for row in evolution if report_filter.start.year <= row["year"] <= report_filter.end.year
        ]
    context.update(
        {
            "report": report,
            "filter": report_filter,
            "period_label": str(report_filter.start.year)
            if year
            else f"{report_filter.start.year}–{report_filter.end.year}",
            "headline": headline(tables["totals"], evolution, year),
            "evolution": shown_evolution,
            "evolution_charts": evolution_charts(shown_evolution) if shown_evolution else None,
            "sections": sections(tables, is_range=report_filter.is_range),
            "cross_table": present_table(f"{cross[0]}_x_{cross[1]}", tables[f"{cross[0]}_x_{cross[1]}"])
            if cross
            else None,
            "query": _query(form),
            "api_url": _api_url(report_filter, form),
            "publish": publish,
            "team_label": dict(form.fields["team"].choices).get(form.cleaned_data.get("team") or "", ""),
        }
    )
    return render(request, "reports/report.html", context)


@login_required
def table_csv_download(request, key: str):
    scope = report_scope_for(request.user)
    form = _bound_form(request, request.GET, scope, [])
    if not form.is_valid():
        raise Http404
    cross = form.cross()
    report = report_run(
        form.report_filter(),
        actor=request.user,
        via="web",
        publish=form.cleaned_data["publish"],
        fmt="csv",
        extra_crosses=[cross] if cross else [],
    )
    if key not in report["tables"]:
        raise Http404
    response = HttpResponse(table_csv(report["tables"][key]), content_type="text/csv; charset=utf-8")
    period = report["period"]
    response["Content-Disposition"] = f'attachment; filename="1712-{key}-{period["from"]}-{period["to"]}.csv"'
    return response


@login_required
@require_POST
def export_start(request):
    scope = report_scope_for(request.user)
    form = _bound_form(request, request.POST, scope, [])
    if not form.is_valid():
        return redirect(reverse("reports:report"))
    report_filter = form.report_filter()
    export_id = str(uuid.uuid4())
    cache.set(export_key(export_id), {"owner": request.user.pk, "status": "pending", "progress": 0}, EXPORT_TTL)
    kwargs = {
        "export_id": export_id,
        "user_id": request.user.pk,
        "start": report_filter.start.isoformat(),
        "end": report_filter.end.isoformat(),
        "team_codes": list(report_filter.team_codes) if report_filter.team_codes is not None else None,
        "publish": bool(form.cleaned_data["publish"]),
    }
    transaction.on_commit(lambda: report_xlsx_export.apply_async(kwargs=kwargs, task_id=export_id))
    return redirect(reverse("reports:export-status", args=[export_id]))


def _export_state(request, export_id: str) -> dict:
    report_scope_for(request.user)
    state = cache.get(export_key(str(export_id)))
    if not state or state.get("owner") != request.user.pk:
        raise Http404
    return state


@login_required
def export_status(request, export_id):
    state = _export_state(request, export_id)
    return render(request, "reports/export_status.html", {"state": state, "export_id": export_id})


@login_required
def export_download(request, export_id):
    state = _export_state(request, export_id)
    if state.get("status") != "done":
        return redirect(reverse("reports:export-status", args=[export_id]))
    content = cache.get(export_key(str(export_id), "file"))
    if content is None:
        raise Http404(_("Dit bestand is niet meer beschikbaar; maak het opnieuw aan."))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{state["filename"]}"'
    return response
