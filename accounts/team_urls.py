from django.urls import path

from . import grant_views, views

app_name = "team"

urlpatterns = [
    path("", views.team_list, name="list"),
    path("invite/", views.team_invite, name="invite"),
    path("<int:user_id>/deactivate/", views.team_deactivate, name="deactivate"),
    path("<int:user_id>/reset-two-factor/", views.team_reset_two_factor, name="reset-two-factor"),
    path("<int:user_id>/resend-invitation/", views.team_invitation_resend, name="invitation-resend"),
    # Who reads the team's contacts, and the coordinator's grants (accounts.grants).
    path("<slug:team>/access/", grant_views.team_access, name="access"),
    path("<slug:team>/access/add/", grant_views.grant_add, name="grant-add"),
    path("<slug:team>/access/<int:membership_id>/end/", grant_views.grant_end, name="grant-end"),
    # Making and revoking team coordinators: administrators and the Flemish coordinator.
    path("coordinators/", grant_views.coordinator_list, name="coordinators"),
    path("coordinators/propose/", grant_views.coordinator_propose, name="coordinator-propose"),
    path("coordinators/<int:proposal_id>/confirm/", grant_views.coordinator_confirm, name="coordinator-confirm"),
    path("coordinators/<int:proposal_id>/refuse/", grant_views.coordinator_refuse, name="coordinator-refuse"),
    path("coordinators/<int:proposal_id>/withdraw/", grant_views.coordinator_withdraw, name="coordinator-withdraw"),
    path("coordinators/revoke/<int:user_id>/", grant_views.coordinator_revoke, name="coordinator-revoke"),
]
