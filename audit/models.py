"""The audit trail: who viewed, searched and exported what (AuditEvent), and the change history
of contacts and reported persons (django-pghistory event tables, PostgreSQL only).

Both are append-only in the database itself: on PostgreSQL a trigger refuses UPDATE and DELETE.
Nothing here holds free text: events carry ids and filters, the change history of the free text
records only that it changed.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals.models import Referral
from registration.models import Contact, ContactText, ReportedPerson, ViolenceForm

from .history import NotSkipped

APPEND_ONLY = pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)


class Via(models.TextChoices):
    WEB = "web", _("web")
    API = "api", _("API")
    CLI = "cli", _("opdrachtregel")


class AuditEventQuerySet(models.QuerySet):
    def in_period(self, start, end):
        qs = self
        if start:
            qs = qs.filter(at__date__gte=start)
        if end:
            qs = qs.filter(at__date__lte=end)
        return qs


class AuditEvent(models.Model):
    """One view, search, export, report run or account action: who, when, how, which ids."""

    at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)
    # No database constraint and no cascade: removing an account never touches the trail.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gebruiker"),
    )
    actor_username = models.CharField(_("gebruikersnaam"), max_length=150, blank=True)
    action = models.CharField(_("actie"), max_length=64, db_index=True)
    via = models.CharField(_("via"), max_length=8, choices=Via.choices, default=Via.WEB)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("auditgebeurtenis")
        verbose_name_plural = _("auditgebeurtenissen")
        indexes = [models.Index(fields=["actor", "at"], name="audit_actor_at")]
        triggers = [APPEND_ONLY]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action}"


class AuditEventContact(models.Model):
    """A contact an event was about (one row per contact, so the trail is queryable by contact)."""

    event = models.ForeignKey(AuditEvent, on_delete=models.DO_NOTHING, related_name="contacts")
    contact = models.ForeignKey(
        Contact, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("contact")
    )

    class Meta:
        verbose_name = _("contact in auditgebeurtenis")
        verbose_name_plural = _("contacten in auditgebeurtenissen")
        indexes = [models.Index(fields=["contact", "event"], name="audit_contact_event")]
        triggers = [APPEND_ONLY]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.contact_id}"


# Change history (PostgreSQL triggers; append-only via PGHISTORY_APPEND_ONLY). The acting user
# comes from pghistory's context, set per request by audit.middleware.HistoryMiddleware.
def _insert_event():
    # A bulk load skips the INSERT history (audit.history.skip_row_history): the WHEN condition
    # keeps a skipped trigger from being queued and called per row. The name is pghistory's own
    # default, spelled out: the trigger's name in the database (which the condition uses) stays.
    return pghistory.InsertEvent(trigger_name="insert_insert", condition=NotSkipped("insert_insert"))


def _row_events():
    # Fresh tracker objects per model: a tracker binds to the model it is attached to.
    return (_insert_event(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


# The record key (reports.disclosure) is never copied: a history that holds it would let
# whoever reads the history take the perturbation of published figures apart.
pghistory.track(*_row_events(), exclude=["record_key"], app_label="audit", model_name="ContactEvent")(Contact)
pghistory.track(*_row_events(), exclude=["record_key"], app_label="audit", model_name="ReportedPersonEvent")(
    ReportedPerson
)
pghistory.track(*_row_events(), app_label="audit", model_name="ViolenceFormEvent")(ViolenceForm)
pghistory.track(*_row_events(), app_label="audit", model_name="ReferralEvent")(Referral)
# The free text itself is never copied: only that it changed (and when it was shredded).
pghistory.track(
    _insert_event(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange("summary", "shredded_at")),
    pghistory.DeleteEvent(),
    fields=["updated_at", "shredded_at"],
    app_label="audit",
    model_name="ContactTextEvent",
)(ContactText)
