from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.team, name="team"),
    path("teams/", views.teams_side_by_side, name="teams"),
]
