from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.two_factor, name="two-factor"),
    path("two-factor/setup/", views.otp_setup, name="otp-setup"),
    path("two-factor/verify/", views.otp_verify, name="otp-verify"),
    path("two-factor/backup-codes/", views.backup_codes_regenerate, name="backup-codes"),
]
