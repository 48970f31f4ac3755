from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("contacts/", views.ContactListApi.as_view(), name="contact-list"),
    path("contacts/<uuid:uuid>/", views.ContactDetailApi.as_view(), name="contact-detail"),
    # Voicemails and e-mails from integrations (issue 14): followup/api.py.
    path("follow-up/", include("followup.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
