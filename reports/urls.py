from django.urls import path

from . import views
from .api.views import ReportApi

app_name = "reports"

# Included at the root so that both the page and its API share the "reports" namespace
# (one access rule in accounts.access covers both).
urlpatterns = [
    path("reports/", views.report_page, name="report"),
    path("reports/csv/<str:key>/", views.table_csv_download, name="table-csv"),
    path("reports/print.css", views.print_css, name="print-css"),
    path("reports/export/", views.export_start, name="export"),
    path("reports/export/<uuid:export_id>/", views.export_status, name="export-status"),
    path("reports/export/<uuid:export_id>/download/", views.export_download, name="export-download"),
    path("api/reports/<str:period>/", ReportApi.as_view(), name="api-report"),
]
