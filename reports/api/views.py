from dataclasses import replace

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from registration.models import Team
from reports.selectors import parse_period
from reports.services import report_run
from reports.views import scope_or_404


class ReportApi(APIView):
    """GET /api/reports/<year or from-to>/?team=CODE&publish=1: the report JSON of domain.md."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, OpenApiParameter.PATH, description="2024 or 2016-2021"),
            OpenApiParameter("team", OpenApiTypes.STR, description="team code; a team coordinator's own team"),
            OpenApiParameter("publish", OpenApiTypes.BOOL, description="hide small counts (publication mode)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, period: str):
        scope = scope_or_404(request.user)
        try:
            report_filter = parse_period(period)
        except ValueError:
            return Response({"period": ["Geef een jaar (2024) of een reeks jaren (2016-2021)."]}, status=400)
        team = request.query_params.get("team") or None
        if team is not None:
            if not scope.allows(team):
                raise Http404
            if not Team.objects.filter(code=team).exists():
                return Response({"team": [f"Onbekend team: {team}"]}, status=400)
            teams = (team,)
        else:
            teams = scope.team_codes
        publish = request.query_params.get("publish") in ("1", "true", "yes")
        report = report_run(
            replace(report_filter, team_codes=teams), actor=request.user, via="api", publish=publish, fmt="json"
        )
        response = Response(report)
        response["Cache-Control"] = "no-store"
        return response
