"""The report page, its downloads and the XLSX export's progress page."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .exporters import table_csv
from .forms import report_form
from .presentation import report_page as page_context
from .selectors import ReportScope, report_scope_for, yearly_evolution
from .selectors.publication import OpenPeriod, closed_months_notice, open_period_message, publication_for
from .services import report_run
from .tasks import EXPORT_TTL, export_key, report_xlsx_export


def scope_or_404(user) -> ReportScope:
    """The user's report scope; a user who may see no report gets a plain 404."""
    scope = report_scope_for(user)
    if scope is None:
        raise Http404
    return scope


@login_required
def report_page(request):
    scope = scope_or_404(request.user)
    publication = publication_for(request.user)
    evolution = yearly_evolution(scope.team_codes, publication=publication)
    form = report_form(request.GET, scope, evolution)
    # A bad crossed-table choice is shown next to its field; the report itself still shows.
    if not form.is_valid() and set(form.errors) - {"cross_a", "cross_b"}:
        return render(request, "reports/report.html", {"form": form})
    report_filter, closed_notice = form.report_filter(), ""
    if publication is not None:
        try:
            report_filter = publication.clamp(report_filter)
        except OpenPeriod:
            form.add_error("year_from", open_period_message(publication))
            return render(request, "reports/report.html", {"form": form})
        closed_notice = closed_months_notice(publication)
    if report_filter.team_codes != scope.team_codes:
        # The evolution and the change against last year are those of the team on screen.
        evolution = yearly_evolution(report_filter.team_codes, publication=publication)
    cross = form.cross()
    report = report_run(
        report_filter,
        actor=request.user,
        via="web",
        fmt="html",
        extra_crosses=[cross] if cross else [],
        language=get_language(),
    )
    context = page_context(report, report_filter, evolution, cross)
    context.update(
        form=form,
        publish=publication is not None,
        closed_notice=closed_notice,
        query=form.query(),
        api_url=form.api_url(),
        team_label=form.team_label(),
    )
    return render(request, "reports/report.html", context)


@login_required
def table_csv_download(request, key: str):
    form = report_form(request.GET, scope_or_404(request.user))
    if not form.is_valid():
        raise Http404
    cross = form.cross()
    try:
        report = report_run(
            form.report_filter(),
            actor=request.user,
            via="web",
            fmt="csv",
            extra_crosses=[cross] if cross else [],
            language=get_language(),
        )
    except OpenPeriod:
        raise Http404 from None
    if key not in report["tables"]:
        raise Http404
    response = HttpResponse(table_csv(report["tables"][key]), content_type="text/csv; charset=utf-8")
    period = report["period"]
    response["Content-Disposition"] = f'attachment; filename="1712-{key}-{period["from"]}-{period["to"]}.csv"'
    return response


@login_required
def print_css(request):
    """The print stylesheet's running head: the period and the team on every printed page.

    A stylesheet of its own because the content security policy allows no inline style, and
    CSS page-margin boxes take their text from CSS only.
    """
    form = report_form(request.GET, scope_or_404(request.user))
    if not form.is_valid():
        raise Http404
    report_filter = form.report_filter()
    publication = publication_for(request.user)
    if publication is not None:
        try:
            report_filter = publication.clamp(report_filter)
        except OpenPeriod:
            raise Http404 from None
    team = str(form.team_label() or _("Alle teams"))
    period = f"{report_filter.start:%d/%m/%Y} – {report_filter.end:%d/%m/%Y}"
    head = " · ".join([_("Jaarrapport hulplijn 1712"), team, _("periode %(period)s") % {"period": period}])
    if publication is not None:
        head += " · " + _("publicatiemodus")
    css = (
        f"@page {{ @top-left {{ content: {css_string(head)}; }} "
        f'@bottom-right {{ content: counter(page) " / " counter(pages); }} }}\n'
    )
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def css_string(text: str) -> str:
    """A CSS string literal: every character but letters, digits and spaces as a hexadecimal escape."""
    return '"' + "".join(c if c.isalnum() and c.isascii() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


@login_required
@require_POST
def export_start(request):
    form = report_form(request.POST, scope_or_404(request.user))
    if not form.is_valid():
        return redirect(reverse("reports:report"))
    report_filter = form.report_filter()
    publication = publication_for(request.user)
    if publication is not None:
        try:
            report_filter = publication.clamp(report_filter)
        except OpenPeriod:
            return redirect(reverse("reports:report"))
    export_id = str(uuid.uuid4())
    cache.set(export_key(export_id), {"owner": request.user.pk, "status": "pending", "progress": 0}, EXPORT_TTL)
    kwargs = {
        "export_id": export_id,
        "user_id": request.user.pk,
        "start": report_filter.start.isoformat(),
        "end": report_filter.end.isoformat(),
        "team_codes": list(report_filter.team_codes) if report_filter.team_codes is not None else None,
        # Names the file only: the task's report run decides the figures by the user's role.
        "publish": publication is not None,
        # The workbook speaks the reader's language and holds the cross chosen on the page.
        "language": get_language(),
        "crosses": [list(form.cross())] if form.cross() else [],
    }
    transaction.on_commit(lambda: report_xlsx_export.apply_async(kwargs=kwargs, task_id=export_id))
    return redirect(reverse("reports:export-status", args=[export_id]))


def _export_state(request, export_id: str) -> dict:
    scope_or_404(request.user)
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
