"""The follow-up queue: what a team still has to do (call back, answer, complete, decide).

An item belongs to one team. Counsellors enter voicemails and e-mails; the rules in
followup.rules open the other kinds from registrations and drafts. The callback number and
the note are personal data: they live in FollowUpText, apart from the item (as a contact's
summary lives in ContactText), and are deleted when the item closes.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration.models import Contact, Draft, Team, new_record_key


class Kind(models.TextChoices):
    VOICEMAIL = "voicemail", _("Voicemail: terugbellen")
    EMAIL = "email", _("E-mail: beantwoorden")
    NEW_CONTACT_EXPECTED = "new_contact_expected", _("Nieuw contact verwacht")
    TEAM_CONSULTATION = "team_consultation", _("Zeer verontrustend: teamoverleg")
    INCOMPLETE = "incomplete_registration", _("Onvolledige registratie")
    DRAFT_LEFT = "draft_left", _("Concept blijven liggen")


# What a counsellor enters by hand; the other kinds are opened by the rules only.
ENTERED_KINDS = (Kind.VOICEMAIL, Kind.EMAIL)


class CloseReason(models.TextChoices):
    CONTACT_REGISTERED = "contact_registered", _("Contact geregistreerd")
    COMPLETED = "completed", _("Registratie vervolledigd")
    TEAM_DECIDED = "team_decided", _("Besproken op het teamoverleg")
    NOT_REACHED = "not_reached", _("Niet bereikt na herhaalde pogingen")
    NO_FOLLOW_UP_NEEDED = "no_follow_up_needed", _("Geen opvolging nodig")
    DUPLICATE = "duplicate", _("Dubbel")
    DRAFT_CLOSED = "draft_closed", _("Concept verwijderd")
    CONTACT_DELETED = "contact_deleted", _("Contact verwijderd")


# The short list a person chooses from; the other reasons are set by the system when it closes
# an item itself (the contact was registered or completed, the draft or contact went away).
MANUAL_CLOSE_REASONS = (
    CloseReason.NOT_REACHED,
    CloseReason.TEAM_DECIDED,
    CloseReason.NO_FOLLOW_UP_NEEDED,
    CloseReason.DUPLICATE,
)


class FollowUpItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def closed(self):
        return self.filter(closed_at__isnull=False)

    def overdue_on(self, day):
        """Open items whose last day has passed."""
        return self.open().filter(due_on__lt=day)

    def in_queue_order(self):
        # By deadline; items without one (a caller may or may not call again) after the rest.
        return self.order_by(models.F("due_on").asc(nulls_last=True), "received_at", "id")


class FollowUpItem(models.Model):
    """One thing a team must follow up: its kind, deadline, who has it and how it ended.

    Holds codes, dates and ids only; never the number or the note (FollowUpText).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("team"))
    kind = models.CharField(_("soort"), max_length=32, choices=Kind.choices)
    # When the voicemail or e-mail arrived; for an item a rule opened, when the rule fired.
    received_at = models.DateTimeField(_("binnengekomen"), default=timezone.now)
    # The last (local) day to act on it, from followup.deadlines; none for a new contact that
    # is only expected (the caller decides when).
    due_on = models.DateField(_("uiterlijk op"), null=True, blank=True)
    # The registration the item is about (a new contact expected, a team consultation, an
    # incomplete registration).
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_up_items"
    )
    # The draft whose registration closes the item: the draft left lying, or the one a
    # counsellor started to answer the item.
    draft = models.ForeignKey(Draft, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Null: opened by a rule.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups_assigned",
        verbose_name=_("behandeld door"),
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("afgesloten"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    close_reason = models.CharField(_("reden"), max_length=32, choices=CloseReason.choices, blank=True)
    # The contact registered for the item (it closed the item).
    answered_by = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="answered_follow_ups"
    )
    # The Flemish overview publishes per-team counts of items with cell-key perturbation: each
    # cell is perturbed by the sum of its items' keys (reports.disclosure, as Contact.record_key).
    record_key = models.PositiveSmallIntegerField(default=new_record_key, editable=False)
    # When the item was entered here (received_at may lie earlier): the Flemish overview counts an
    # item from the month after its month's publication cut if it was entered after the cut.
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = FollowUpItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "received_at", "id"]
        verbose_name = _("opvolgpunt")
        verbose_name_plural = _("opvolgpunten")
        constraints = [
            # A rule opens at most one item per registration and kind, ever: saving the contact
            # again does not bring back an item someone closed.
            models.UniqueConstraint(
                fields=["contact", "kind"], condition=Q(contact__isnull=False), name="follow_up_once_per_contact"
            ),
            # One "left" item per draft, even when two requests sweep at the same moment.
            models.UniqueConstraint(
                fields=["draft"], condition=Q(kind="draft_left"), name="follow_up_once_per_left_draft"
            ),
        ]
        indexes = [
            models.Index(fields=["team", "due_on"], condition=Q(closed_at__isnull=True), name="follow_up_open"),
            models.Index(fields=["team", "received_at"], name="follow_up_team_received"),
        ]

    def __str__(self) -> str:
        # Never the number or the note: this string can end up in logs and admin pages.
        return f"{self.get_kind_display()} {str(self.uuid)[:8]}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_overdue_on(self, day) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < day


class FollowUpText(models.Model):
    """The personal data of an open item: the number to call back and the counsellor's note.

    Kept apart from the item so it can be deleted, whole, when the item closes; nothing else
    copies it (no list, log, URL, export, audit event or change history).
    """

    item = models.OneToOneField(FollowUpItem, on_delete=models.CASCADE, related_name="text", primary_key=True)
    callback_number = models.CharField(_("terugbelnummer"), max_length=32, blank=True)
    note = models.TextField(_("notitie"), blank=True)

    class Meta:
        verbose_name = _("persoonsgegevens van een opvolgpunt")
        verbose_name_plural = _("persoonsgegevens van opvolgpunten")

    def __str__(self) -> str:
        label = _("Persoonsgegevens van")
        return f"{label} {self.item_id}"
