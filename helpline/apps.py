from django.contrib.admin.apps import AdminConfig


class HelplineAdminConfig(AdminConfig):
    """django.contrib.admin, with the two-factor admin site as `admin.site`."""

    default_site = "helpline.admin.HelplineAdminSite"

    def ready(self):
        super().ready()
        # pghistory's context, compatible with server-side parameter binding (issue 11).
        from .history_binding import install

        install()
