from dataclasses import replace

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.params import ReportParameterError, crosses_checked, period_checked, team_checked
from reports.selectors.publication import OpenPeriod, open_period_message
from reports.services import report_run
from reports.views import scope_or_404


class ReportApi(APIView):
    """GET /api/reports/<year or from-to>/?team=CODE&cross=A,B: the report JSON of domain.md.

    The figures are those the reader's role may see (reports.selectors.publication): the Flemish
    coordinator's are cut to the closed months and perturbed where the rule says, with a
    `disclosure` object; there is no switch (a `publish` parameter is ignored).
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, OpenApiParameter.PATH, description="2024 or 2016-2021"),
            OpenApiParameter("team", OpenApiTypes.STR, description="team code; a team coordinator's own team"),
            OpenApiParameter(
                "cross",
                OpenApiTypes.STR,
                many=True,
                description="add the crossed table A_x_B of two dimensions, e.g. problem,caller_age_group; repeatable",
            ),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, period: str):
        scope = scope_or_404(request.user)
        team = request.query_params.get("team") or None
        try:
            report_filter = period_checked(period)
            crosses = crosses_checked(request.query_params.getlist("cross"))
            if team is not None:
                team = team_checked(team)
        except ReportParameterError as error:
            return Response({error.field: [error.message]}, status=400)
        if team is not None:
            if not scope.allows(team):
                raise Http404
            teams = (team,)
        else:
            teams = scope.team_codes
        try:
            report = report_run(
                replace(report_filter, team_codes=teams),
                actor=request.user,
                via="api",
                fmt="json",
                extra_crosses=crosses,
            )
        except OpenPeriod as closed:
            return Response({"period": [open_period_message(closed.publication)]}, status=400)
        response = Response(report)
        response["Cache-Control"] = "no-store"
        return response
