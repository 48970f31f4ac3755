"""Teams, code lists, opening hours, contacts and reported persons.

Coded fields hold the stable code string of domain.md (a code is identified by its
list and its code); labels, groups and validity live in the Code table, so an
administrator can add a code without a deploy.
"""

import secrets
import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The first day the helpline registered contacts: no date before it is accepted anywhere
# (forms, import, reports, the page script reads it from the page).
HELPLINE_START = date(2012, 1, 1)


def new_record_key() -> int:
    """A random record key 0–255 for a new contact or reported person (reports.disclosure)."""
    return secrets.randbelow(256)


class Team(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("naam"), max_length=128)
    sort = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class CodeQuerySet(models.QuerySet):
    def of_list(self, list_name: str):
        return self.filter(list=list_name)

    def valid_on(self, day: date):
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class Code(models.Model):
    """One code of one code list, with its labels, roll-up and validity period."""

    list = models.CharField(_("lijst"), max_length=32, db_index=True)
    code = models.CharField(_("code"), max_length=64)
    label_nl = models.CharField(_("label (Nederlands)"), max_length=200)
    label_en = models.CharField(_("label (Engels)"), max_length=200, blank=True)
    group_nl = models.CharField(_("groep (Nederlands)"), max_length=200, blank=True)
    group_en = models.CharField(_("groep (Engels)"), max_length=200, blank=True)
    # The everyday words a counsellor types to find this code besides its label (moeder, juf,
    # fysiek …): data beside the labels, so an administrator can add a word without a deploy.
    search_nl = models.TextField(
        _("zoekwoorden (Nederlands)"),
        blank=True,
        help_text=_("Woorden waarmee je deze code vindt bij het typen, naast het label; gescheiden door komma's."),
    )
    search_en = models.TextField(_("zoekwoorden (Engels)"), blank=True)
    # The roll-up this code belongs to: the comparable series of a problem, the
    # intra/extrafamilial roll-up of a context, the report group of a relation.
    rollup = models.CharField(_("samenvatting"), max_length=64, blank=True)
    # Only for caller_relation: the caller role (the "1.b" table) this relation implies.
    caller_role = models.CharField(_("rol contactnemer"), max_length=32, blank=True)
    sort = models.PositiveIntegerField(_("volgorde"), default=0)
    valid_from = models.DateField(_("geldig vanaf"), null=True, blank=True)
    valid_until = models.DateField(_("geldig tot en met"), null=True, blank=True)

    objects = CodeQuerySet.as_manager()

    class Meta:
        ordering = ["list", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["list", "code"], name="code_unique_per_list")]
        verbose_name = _("code")
        verbose_name_plural = _("codelijsten")

    def __str__(self) -> str:
        return f"{self.list}: {self.code} ({self.label_nl})"

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    @property
    def label(self) -> str:
        if _english() and self.label_en:
            return self.label_en
        return self.label_nl

    @property
    def group(self) -> str:
        if _english() and self.group_en:
            return self.group_en
        return self.group_nl

    @property
    def search_text(self) -> str:
        """Everything typing may match besides the code and the shown label: both languages'
        labels, groups and search words (counsellors switch languages, the words do not)."""
        parts = (self.label_nl, self.label_en, self.group_nl, self.group_en, self.search_nl, self.search_en)
        return " ".join(part for part in parts if part)


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "nl").startswith("en")


class OpeningHours(models.Model):
    """One weekly opening slot of a channel, valid from a date until the next set starts."""

    channel = models.CharField(_("kanaal"), max_length=16)
    valid_from = models.DateField(_("geldig vanaf"))
    # Monday = 0, as Python's date.weekday().
    weekday = models.PositiveSmallIntegerField(_("weekdag"), null=True, blank=True)
    opens = models.TimeField(_("opent"), null=True, blank=True)
    closes = models.TimeField(_("sluit"), null=True, blank=True)
    always = models.BooleanField(_("altijd bereikbaar"), default=False)
    assumed = models.BooleanField(_("aangenomen (niet uit de bronnen)"), default=False)

    class Meta:
        ordering = ["channel", "valid_from", "weekday", "opens"]
        verbose_name = _("openingsuur")
        verbose_name_plural = _("openingsuren")

    def __str__(self) -> str:
        if self.always:
            always = _("altijd")
            return f"{self.channel} {self.valid_from}: {always}"
        return f"{self.channel} {self.valid_from}: {self.weekday} {self.opens}–{self.closes}"


class Closure(models.Model):
    """A day the helpline's live channels are closed (Belgian public holidays)."""

    date = models.DateField(_("datum"), unique=True)
    name = models.CharField(_("naam"), max_length=128)

    class Meta:
        ordering = ["date"]
        verbose_name = _("sluitingsdag")
        verbose_name_plural = _("sluitingsdagen")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ContactQuerySet(models.QuerySet):
    def in_period(self, start: date | None, end: date | None):
        qs = self
        if start:
            qs = qs.filter(started_on__gte=start)
        if end:
            qs = qs.filter(started_on__lte=end)
        return qs

    def in_year(self, year: int):
        return self.in_period(date(year, 1, 1), date(year, 12, 31))


class ContactManager(models.Manager.from_queryset(ContactQuerySet)):
    """The one default manager: deleted contacts are never seen, listed or counted."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Ja")
    NO = "no", _("Neen")
    UNKNOWN = "unknown", _("Onbekend")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Laag")
    MEDIUM = "medium", _("Matig")
    HIGH = "high", _("Hoog")
    UNKNOWN = "unknown", _("Onbekend")


# --- Domain facts, named once ---------------------------------------------------------
# Forms, display, the interchange format, the API, the demo, the reports, the benchmarks and
# the page script read these; nothing restates them.

# Which code list each coded field of a contact reads (single choice).
CONTACT_CODE_LISTS = {
    "channel": "channel",
    "caller_region": "caller_region",
    "caller_age": "caller_age",
    "caller_gender": "caller_gender",
    "anonymous": "anonymous",
    "caller_relation": "caller_relation",
}
# A contact's multi-choice coded field: the handling actions.
CONTACT_MULTI_CODE_LISTS = {"actions": "handling_action"}
# Which code list each coded field of a reported person reads (single choice) ...
PERSON_CODE_LISTS = {
    "gender": "person_gender",
    "age": "person_age",
    "problem": "problem",
    "context": "context",
}
# ... and its multi-choice lists (stored as rows of their own).
PERSON_MULTI_CODE_LISTS = {"violence_forms": "violence_forms", "referrals": "referrals"}
# Every list the registration reads.
REGISTRATION_CODE_LISTS = (
    *CONTACT_CODE_LISTS.values(),
    *CONTACT_MULTI_CODE_LISTS.values(),
    *PERSON_CODE_LISTS.values(),
    *PERSON_MULTI_CODE_LISTS.values(),
)

# Who counts as a minor, an adult or unknown is data: the `rollup` of the age codes
# (caller_age and person_age), loaded by migration 0005 and editable in the admin.
AGE_GROUPS = ("minor", "adult", "unknown")
# The caller's relation to the victim rolls up into these groups: the `rollup` of the
# caller_relation codes (data). A code without a roll-up counts as unknown.
RELATION_GROUPS = ("self", "close_to_victim", "perpetrator_side", "work_leisure", "unknown")


# The registration's own fields, named once: forms, services, the interchange format and
# the API read these lists.
CALLER_FIELDS = ("caller_age", "caller_gender", "anonymous", "caller_relation")
HANDLING_FIELDS = (
    "concerning",
    "risk_level",
    "help_involved",
    "justice_involved",
    "manifest_safety_risk",
    "actions",
    "new_contact_expected",
)
# The allowed values of each structured handling field ("actions" is a code list instead).
HANDLING_CHOICES = {
    "concerning": YesNoUnknown,
    "risk_level": RiskLevel,
    "help_involved": YesNoUnknown,
    "justice_involved": YesNoUnknown,
    "manifest_safety_risk": YesNoUnknown,
    "new_contact_expected": YesNoUnknown,
}
# What a counsellor fills in for a contact, apart from its date, time and free text.
REGISTRATION_FIELDS = (
    "team",
    "channel",
    "duration_minutes",
    "caller_region",
    *CALLER_FIELDS,
    "follow_up_of",
    *HANDLING_FIELDS,
)


class Contact(models.Model):
    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", _("Onvolledig")
        COMPLETE = "complete", _("Volledig")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The identifier in the interchange format; a contact registered here exports its uuid.
    external_id = models.CharField(_("extern id"), max_length=128, unique=True, null=True, blank=True)
    # Null only for imported legacy records without a team (reported as Leeg); the app always sets it.
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("team"), null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.INCOMPLETE)

    channel = models.CharField(_("kanaal"), max_length=16, null=True, blank=True)
    # The instant the contact began, when a time is known; legacy records have a date only.
    started_at = models.DateTimeField(_("begonnen om"), null=True, blank=True)
    # The local (Europe/Brussels) date: it decides year, month and code validity.
    started_on = models.DateField(_("datum"))
    # Local hour 0–23, derived from started_at; null when only a date is known.
    started_hour = models.PositiveSmallIntegerField(_("uur"), null=True, blank=True, editable=False)
    duration_minutes = models.PositiveIntegerField(_("duur (minuten)"), null=True, blank=True)
    caller_region = models.CharField(_("regio contactnemer"), max_length=32, null=True, blank=True)

    caller_age = models.CharField(_("leeftijd contactnemer"), max_length=32, null=True, blank=True)
    caller_gender = models.CharField(_("gender contactnemer"), max_length=32, null=True, blank=True)
    anonymous = models.CharField(_("anoniem"), max_length=16, null=True, blank=True)
    caller_relation = models.CharField(_("relatie tot slachtoffer"), max_length=16, null=True, blank=True)

    # Derived, stored for reporting; recomputed by `recompute_derived` when code lists or
    # opening hours change. Computed only in registration.derivation.
    caller_role = models.CharField(_("rol contactnemer"), max_length=16, editable=False, default="unknown")
    within_opening_hours = models.CharField(_("binnen openingsuren"), max_length=16, editable=False, default="unknown")

    follow_up_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("opvolging van"),
    )

    # How the contact was handled (domain.md, "How a contact is handled").
    concerning = models.CharField(
        _("verontrustend"), max_length=16, choices=YesNoUnknown.choices, null=True, blank=True
    )
    risk_level = models.CharField(_("risico"), max_length=16, choices=RiskLevel.choices, null=True, blank=True)
    help_involved = models.CharField(
        _("hulpverlening al betrokken"), max_length=16, choices=YesNoUnknown.choices, null=True, blank=True
    )
    justice_involved = models.CharField(
        _("justitie al betrokken"), max_length=16, choices=YesNoUnknown.choices, null=True, blank=True
    )
    manifest_safety_risk = models.CharField(
        _("manifest veiligheidsrisico"), max_length=16, choices=YesNoUnknown.choices, null=True, blank=True
    )
    # Codes of the `handling_action` list; a small list kept as JSON, never counted per code in SQL.
    actions = models.JSONField(_("acties"), default=list, blank=True)
    new_contact_expected = models.CharField(
        _("nieuw contact verwacht"), max_length=16, choices=YesNoUnknown.choices, null=True, blank=True
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Optimistic locking: a save carries the version it started from.
    version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Published figures perturb each cell by the sum of its records' keys (reports.disclosure):
    # fixed at creation, never exported, never shown, left out of the change history.
    record_key = models.PositiveSmallIntegerField(default=new_record_key, editable=False)

    objects = ContactManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["-started_on", "-started_at", "-id"]
        base_manager_name = "all_objects"
        verbose_name = _("contact")
        verbose_name_plural = _("contacten")
        indexes = [
            models.Index(fields=["started_on", "team"], name="contact_date_team"),
            models.Index(fields=["team", "started_on"], name="contact_team_date"),
            models.Index(fields=["channel", "started_on"], name="contact_channel_date"),
            models.Index(fields=["status", "started_on"], name="contact_status_date"),
            models.Index(
                fields=["-started_on", "-started_at", "-id"],
                name="contact_list_order",
                condition=Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Contact')} {self.started_on:%d/%m/%Y} ({str(self.uuid)[:8]})"

    @property
    def identifier(self) -> str:
        return self.external_id or str(self.uuid)

    @property
    def started_local(self):
        return timezone.localtime(self.started_at) if self.started_at else None

    def refresh_derived(self, *, codes=None, hours=None) -> None:
        from .derivation import caller_role_for, within_opening_hours_for

        self.started_hour = self.started_local.hour if self.started_at else None
        self.caller_role = caller_role_for(self.caller_relation, codes=codes)
        self.within_opening_hours = within_opening_hours_for(self.channel, self.started_at, hours=hours)


class ContactText(models.Model):
    """The counsellor's free text, apart from the coded registration so it can be shredded."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="text", primary_key=True)
    summary = models.TextField(_("samenvatting"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("vrije tekst")
        verbose_name_plural = _("vrije teksten")

    def __str__(self) -> str:
        # Never the text itself: this string can end up in logs and admin pages.
        label = _("Vrije tekst van")
        return f"{label} {self.contact_id}"


class ReportedPersonManager(models.Manager):
    """Reported persons of deleted contacts are never seen or counted."""

    def get_queryset(self):
        return super().get_queryset().filter(contact__deleted_at__isnull=True)


class ReportedPerson(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="persons")
    position = models.PositiveSmallIntegerField(default=0)
    gender = models.CharField(_("gender"), max_length=32, null=True, blank=True)
    age = models.CharField(_("leeftijd"), max_length=32, null=True, blank=True)
    problem = models.CharField(_("belangrijkste problematiek"), max_length=64, null=True, blank=True)
    context = models.CharField(_("context"), max_length=64, null=True, blank=True)
    # As Contact.record_key: the key of this person's cells (and of their forms of violence and referrals).
    record_key = models.PositiveSmallIntegerField(default=new_record_key, editable=False)

    objects = ReportedPersonManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["contact_id", "position", "id"]
        base_manager_name = "all_objects"
        verbose_name = _("gemelde persoon")
        verbose_name_plural = _("gemelde personen")
        indexes = [models.Index(fields=["contact", "position"], name="person_contact_pos")]

    def __str__(self) -> str:
        return f"{_('Gemelde persoon')} {self.position + 1}"


class ViolenceForm(models.Model):
    """One form of violence mentioned for a reported person (a multi-valued field as rows)."""

    person = models.ForeignKey(ReportedPerson, on_delete=models.CASCADE, related_name="violence_forms")
    code = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "code"], name="violence_form_once")]
        indexes = [models.Index(fields=["code"], name="violence_form_code")]

    def __str__(self) -> str:
        return self.code


class DraftQuerySet(models.QuerySet):
    def open(self):
        return self.filter(registered__isnull=True, discarded_at__isnull=True)

    def owned_by(self, user):
        return self.filter(owner=user)


class Draft(models.Model):
    """A registration still being typed: the form state as JSON, owned by one user.

    Never a contact and never counted. Its `token` is also the idempotency key of the
    registration form: a repeated POST with the same token returns `registered`.
    The state may hold free text (the summary): it is never logged or put in a URL.
    """

    token = models.UUIDField(unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    # The contact this draft edits (null for a new registration).
    edits = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The contact the draft became; set once, in the same transaction that creates it.
    registered = models.OneToOneField(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="registered_from"
    )
    discarded_at = models.DateTimeField(null=True, blank=True)

    objects = DraftQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("concept")
        verbose_name_plural = _("concepten")
        indexes = [models.Index(fields=["owner", "-updated_at"], name="draft_owner_updated")]

    def __str__(self) -> str:
        label = _("Concept")
        return f"{label} {str(self.token)[:8]}"
