from django.db import models
from django.utils.translation import gettext_lazy as _


class Referral(models.Model):
    """Where a reported person was referred to: one row per referral code (multi-valued)."""

    person = models.ForeignKey("registration.ReportedPerson", on_delete=models.CASCADE, related_name="referrals")
    code = models.CharField(_("doorverwijzing"), max_length=64)

    class Meta:
        verbose_name = _("doorverwijzing")
        verbose_name_plural = _("doorverwijzingen")
        constraints = [models.UniqueConstraint(fields=["person", "code"], name="referral_once")]
        indexes = [models.Index(fields=["code"], name="referral_code")]

    def __str__(self) -> str:
        return self.code
