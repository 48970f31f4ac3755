from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.two_factor, name="two-factor"),
    path("two-factor/setup/", views.otp_setup, name="otp-setup"),
    path("two-factor/verify/", views.otp_verify, name="otp-verify"),
    path("two-factor/backup-codes/", views.backup_codes_regenerate, name="backup-codes"),
    path("password/", views.password_change, name="password-change"),
    # The single-use link from the invitation e-mail (anonymous visitors may open it).
    path("welcome/<str:uidb64>/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
