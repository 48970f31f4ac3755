from django.contrib.admin.apps import AdminConfig


class HelplineAdminConfig(AdminConfig):
    """django.contrib.admin, with the two-factor admin site as `admin.site`."""

    default_site = "helpline.admin.HelplineAdminSite"
