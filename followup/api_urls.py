"""The follow-up API's URLs, included in the API's namespace ("api") by registration.api.urls."""

from django.urls import path

from .api import FollowUpApi

urlpatterns = [
    path("", FollowUpApi.as_view(), name="follow-up"),
]
