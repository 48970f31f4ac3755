from django.urls import path

from . import views

app_name = "team"

urlpatterns = [
    path("", views.team_list, name="list"),
    path("invite/", views.team_invite, name="invite"),
    path("<int:user_id>/deactivate/", views.team_deactivate, name="deactivate"),
    path("<int:user_id>/reset-two-factor/", views.team_reset_two_factor, name="reset-two-factor"),
]
