from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as accounts_views

urlpatterns = [
    # Each role starts on the first page of its menu (accounts.navigation).
    path("", accounts_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("accounts.urls")),
    path("team/", include("accounts.team_urls")),
    path("audit/", include("audit.urls")),
    # The report page (reports/) and its API (api/reports/<period>/) share the "reports" namespace.
    path("", include("reports.urls")),
    path("api/", include("registration.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("contacts/", include("registration.urls")),
    path("follow-up/", include("followup.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
]
