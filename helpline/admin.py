from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite


class HelplineAdminSite(OTPAdminSite):
    """The admin requires a verified two-factor device too: the access middleware already demands
    one for every page; this keeps the admin safe even if it were mounted elsewhere."""

    site_header = _("1712 beheer")
    site_title = _("1712 beheer")

    def __init__(self, name: str = "admin"):
        # OTPAdminSite defaults to "otpadmin"; the project's URLs and templates use "admin".
        super().__init__(name)
