from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("contacts/", views.ContactListApi.as_view(), name="contact-list"),
    path("contacts/<uuid:uuid>/", views.ContactDetailApi.as_view(), name="contact-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
