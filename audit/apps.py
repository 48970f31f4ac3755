from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audittrail")

    def ready(self):
        from .chain import install_on_migrate

        # After every migrate (audit comes after pghistory and pgtrigger in INSTALLED_APPS, so their
        # own installs ran first): chain every trail table and replace pghistory's context function.
        post_migrate.connect(install_on_migrate, sender=self)
