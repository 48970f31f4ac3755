"""The registration form (contact + reported persons) and the list filters.

The form offers only codes valid on the contact's local date and refuses any other code
with a message next to its field. Every field may stay empty (Leeg) except the date.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django import forms
from django.core import signing
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .models import HELPLINE_START, REGISTRATION_FIELDS, Code, Contact, RiskLevel, YesNoUnknown
from .selectors import contacts_visible_to, teams_of
from .services import PersonInput, RegistrationInput

EMPTY_LABEL = _("— leeg —")
CONTACT_LISTS = [
    "channel",
    "caller_region",
    "caller_age",
    "caller_gender",
    "anonymous",
    "caller_relation",
    "handling_action",
]
PERSON_LISTS = {
    "gender": "person_gender",
    "age": "person_age",
    "problem": "problem",
    "context": "context",
    "violence_forms": "violence_forms",
    "referrals": "referrals",
}
# Lists long enough to want type-ahead on the screen (the rest are short native selects).
TYPEAHEAD_LISTS = {"caller_relation", "problem", "context", "violence_forms", "referrals"}
BASE_SALT = "registration.base-state"


class CodeBook:
    """The codes of the registration's lists, loaded in one query, judged on one day."""

    def __init__(self, day: date, lists: list[str] | None = None):
        self.day = day
        names = lists or [*CONTACT_LISTS, *PERSON_LISTS.values()]
        self.codes: dict[str, list[Code]] = defaultdict(list)
        for code in Code.objects.filter(list__in=names).order_by("list", "sort", "code"):
            self.codes[code.list].append(code)

    def choices(self, list_name: str, *, grouped: bool = False, selected=()) -> list:
        """Codes valid on the day, plus codes already chosen (so an old value stays visible)."""
        keep = set(selected or ())
        valid = [c for c in self.codes[list_name] if c.is_valid_on(self.day) or c.code in keep]
        if not grouped:
            return [(c.code, c.label) for c in valid]
        groups: dict[str, list] = {}
        for c in valid:
            groups.setdefault(c.group_nl or "", []).append((c.code, f"{c.code} {c.label}"))
        return [(group, items) if group else items[0] for group, items in groups.items()]

    def boundaries(self) -> list[str]:
        """The days on which some code's validity starts or ends (ISO dates, sorted).

        The screen reloads its options when the contact's date moves across one of them.
        """
        days = set()
        for codes in self.codes.values():
            for code in codes:
                if code.valid_from:
                    days.add(code.valid_from)
                if code.valid_until:
                    days.add(code.valid_until + timedelta(days=1))
        return sorted(day.isoformat() for day in days)

    def find(self, list_name: str, code: str) -> Code | None:
        return next((c for c in self.codes[list_name] if c.code == code), None)


class CodeField(forms.ChoiceField):
    """A coded field: the options are the list's codes valid on the contact's date."""

    def __init__(self, list_name: str, *, grouped: bool = False, **kwargs):
        self.list_name = list_name
        self.grouped = grouped
        self.book: CodeBook | None = None
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def bind_book(self, book: CodeBook, selected=()) -> None:
        self.book = book
        choices = book.choices(self.list_name, grouped=self.grouped, selected=selected)
        self.choices = [("", EMPTY_LABEL), *choices]

    def validate(self, value):
        if value in self.empty_values:
            return super().validate(value)
        check_code(self.book, self.list_name, value)

    def valid_value(self, value):
        return True  # judged in validate() with a precise message


class CodeMultipleField(forms.MultipleChoiceField):
    def __init__(self, list_name: str, **kwargs):
        self.list_name = list_name
        self.book: CodeBook | None = None
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def bind_book(self, book: CodeBook, selected=()) -> None:
        self.book = book
        self.choices = book.choices(self.list_name, selected=selected)

    def validate(self, value):
        for item in value or []:
            check_code(self.book, self.list_name, item)

    def valid_value(self, value):
        return True


def check_code(book: CodeBook, list_name: str, value: str) -> None:
    code = book.find(list_name, value)
    if code is None:
        raise forms.ValidationError(_("Onbekende code: %(code)s."), code="unknown_code", params={"code": value})
    if not code.is_valid_on(book.day):
        raise forms.ValidationError(
            _("“%(label)s” is niet geldig op %(day)s (de datum van het contact)."),
            code="code_not_valid",
            params={"label": code.label, "day": formats.date_format(book.day, "d/m/Y")},
        )


YES_NO = [("", EMPTY_LABEL), *YesNoUnknown.choices]


class AccessibleFormMixin:
    """Link each field's error and help text to it (aria-describedby, aria-invalid)."""

    def full_clean(self):
        super().full_clean()
        for name, bound in self._bound_items():  # type: ignore[attr-defined]
            widget = bound.field.widget
            described = []
            if bound.help_text:
                described.append(f"{bound.auto_id}_helptext")
            if name in self.errors:
                described.append(f"{bound.auto_id}_error")
                widget.attrs["aria-invalid"] = "true"
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)


class ContactForm(AccessibleFormMixin, forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    base = forms.CharField(widget=forms.HiddenInput, required=False)

    started_date = forms.DateField(
        label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), required=True
    )
    started_time = forms.TimeField(
        label=_("Beginuur"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), required=False
    )
    duration_minutes = forms.IntegerField(
        label=_("Duur (minuten)"), min_value=0, max_value=24 * 60, required=False, widget=forms.NumberInput()
    )
    channel = CodeField("channel", label=_("Kanaal"))
    team = forms.ChoiceField(label=_("Team"), required=False)
    caller_region = CodeField("caller_region", label=_("Regio (keuzemenu)"))
    caller_age = CodeField("caller_age", label=_("Leeftijd contactnemer"))
    caller_gender = CodeField("caller_gender", label=_("Gender contactnemer"))
    anonymous = CodeField("anonymous", label=_("Anoniem"))
    caller_relation = CodeField(
        "caller_relation",
        grouped=True,
        label=_("Relatie tot het slachtoffer"),
        widget=forms.Select(attrs={"data-typeahead": "1"}),
    )
    follow_up_of = forms.ChoiceField(
        label=_("Opvolging van"), required=False, widget=forms.Select(attrs={"data-typeahead": "1"})
    )

    concerning = forms.ChoiceField(label=_("Verontrustend"), choices=YES_NO, required=False)
    risk_level = forms.ChoiceField(label=_("Risico"), choices=[("", EMPTY_LABEL), *RiskLevel.choices], required=False)
    help_involved = forms.ChoiceField(label=_("Hulpverlening al betrokken"), choices=YES_NO, required=False)
    justice_involved = forms.ChoiceField(label=_("Justitie al betrokken"), choices=YES_NO, required=False)
    manifest_safety_risk = forms.ChoiceField(label=_("Manifest veiligheidsrisico"), choices=YES_NO, required=False)
    actions = CodeMultipleField("handling_action", label=_("Acties"), widget=forms.CheckboxSelectMultiple)
    new_contact_expected = forms.ChoiceField(label=_("Nieuw contact verwacht"), choices=YES_NO, required=False)
    summary = forms.CharField(
        label=_("Samenvatting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Vrije tekst: wordt apart bewaard en na de bewaartermijn vernietigd."),
    )

    def __init__(self, *args, user, day: date, book: CodeBook, contact: Contact | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.day = day
        self.book = book
        self.contact = contact
        for name, field in self.fields.items():
            if isinstance(field, CodeField | CodeMultipleField):
                field.bind_book(book, selected=self._selected(name))
        teams = list(teams_of(user))
        self.fields["team"].choices = [("", EMPTY_LABEL), *[(t.code, t.name) for t in teams]]
        self.fields["follow_up_of"].choices = self._follow_up_choices()

    def _selected(self, name: str) -> list[str]:
        value = _submitted(self, name) or self.initial.get(name)
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]

    def _follow_up_choices(self) -> list:
        visible = contacts_visible_to(self.user).select_related("team")
        if self.contact is not None:
            visible = visible.exclude(pk=self.contact.pk)
        recent = list(visible.order_by("-started_on", "-started_at", "-id")[:15])
        wanted = self._selected("follow_up_of")
        if wanted and all(str(c.uuid) != wanted[0] for c in recent):
            try:
                recent += list(visible.filter(uuid=wanted[0]))
            except (ValueError, TypeError, forms.ValidationError):
                pass
        return [("", _("— geen —")), *[(str(c.uuid), contact_choice_label(c)) for c in recent]]

    def clean_follow_up_of(self):
        value = self.cleaned_data.get("follow_up_of")
        if not value:
            return None
        contact = contacts_visible_to(self.user).filter(uuid=value).first()
        if contact is None or (self.contact is not None and contact.pk == self.contact.pk):
            raise forms.ValidationError(_("Dit contact bestaat niet of u hebt er geen toegang toe."))
        return contact

    def clean_team(self):
        value = self.cleaned_data.get("team")
        if not value:
            return None
        team = teams_of(self.user).filter(code=value).first()
        if team is None:
            raise forms.ValidationError(_("U kunt niet registreren voor dit team."))
        return team

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("started_date")
        if day and day > timezone.localdate():
            self.add_error("started_date", _("De datum ligt in de toekomst."))
        elif day and day < HELPLINE_START:
            self.add_error("started_date", _("De datum ligt voor de start van de hulplijn (1 januari 2012)."))
        return cleaned

    def base_state(self) -> dict | None:
        raw = self.cleaned_data.get("base") if hasattr(self, "cleaned_data") else None
        if not raw:
            return None
        try:
            return signing.loads(raw, salt=BASE_SALT)
        except signing.BadSignature:
            return None


def _submitted(form: forms.Form, name: str) -> list | None:
    if not form.is_bound:
        return None
    key = form.add_prefix(name)
    if hasattr(form.data, "getlist"):
        return form.data.getlist(key) or None
    value = form.data.get(key)
    return None if value is None else (value if isinstance(value, list) else [value])


def sign_state(state: dict) -> str:
    return signing.dumps(state, salt=BASE_SALT, compress=True)


def contact_choice_label(contact: Contact) -> str:
    when = timezone.localtime(contact.started_at) if contact.started_at else None
    stamp = formats.date_format(when, "d/m/Y H:i") if when else formats.date_format(contact.started_on, "d/m/Y")
    team = contact.team.name if contact.team_id else "—"
    return f"{stamp} · {contact.channel or '—'} · {team} · {str(contact.uuid)[:8]}"


class PersonForm(AccessibleFormMixin, forms.Form):
    uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)
    gender = CodeField("person_gender", label=_("Gender"))
    age = CodeField("person_age", label=_("Leeftijd"))
    problem = CodeField("problem", label=_("Belangrijkste problematiek"))
    context = CodeField("context", label=_("Context"))
    violence_forms = CodeMultipleField("violence_forms", label=_("Vormen van geweld"))
    referrals = CodeMultipleField("referrals", label=_("Doorverwijzingen"))

    def __init__(self, *args, book: CodeBook, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, CodeField | CodeMultipleField):
                value = _submitted(self, name) or self.initial.get(name)
                selected = value if isinstance(value, list | tuple) else ([value] if value else [])
                field.bind_book(book, selected=selected)
                if field.list_name in TYPEAHEAD_LISTS:
                    field.widget.attrs["data-typeahead"] = "1"


class BasePersonFormSet(forms.BaseFormSet):
    def __init__(self, *args, book: CodeBook, **kwargs):
        self.book = book
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"book": self.book}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            book=self.book,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form


PersonFormSet = forms.formset_factory(
    PersonForm, formset=BasePersonFormSet, extra=0, can_delete=True, max_num=50, validate_max=True
)


def form_day(data, default: date) -> date:
    """The day that decides which codes are valid: the submitted date when it parses."""
    raw = data.get("started_date") if data is not None else None
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    return default


def build_forms(user, *, data=None, initial=None, persons_initial=None, contact=None, default_day=None):
    """The contact form and the persons formset, sharing one CodeBook (one query)."""
    day = form_day(data, default_day or timezone.localdate())
    book = CodeBook(day)
    form = ContactForm(data, user=user, day=day, book=book, contact=contact, initial=initial or {})
    formset = PersonFormSet(data, prefix="persons", book=book, initial=persons_initial or [])
    return form, formset


def registration_input(form: ContactForm, formset) -> RegistrationInput:
    """Turn the valid forms into the services' input."""
    cleaned = form.cleaned_data
    day = cleaned["started_date"]
    moment = cleaned.get("started_time")
    started_at = None
    if moment is not None:
        started_at = timezone.make_aware(datetime.combine(day, moment), timezone.get_default_timezone())
    fields = {name: cleaned.get(name) for name in form.fields if name not in NON_CONTACT_FIELDS}
    persons = []
    for person_form in formset.forms:
        # A person the counsellor added stays, even with every field Leeg; a removed one goes.
        if person_form.cleaned_data.get("DELETE"):
            continue
        c = person_form.cleaned_data
        persons.append(
            PersonInput(
                gender=c.get("gender") or None,
                age=c.get("age") or None,
                problem=c.get("problem") or None,
                context=c.get("context") or None,
                violence_forms=list(c.get("violence_forms") or []),
                referrals=list(c.get("referrals") or []),
                uuid=c.get("uuid"),
            )
        )
    return RegistrationInput(
        started_on=day, started_at=started_at, fields=fields, persons=persons, summary=cleaned.get("summary") or ""
    )


NON_CONTACT_FIELDS = {"token", "version", "base", "started_date", "started_time", "summary"}


def initial_from_contact(contact: Contact) -> tuple[dict, list[dict]]:
    local = timezone.localtime(contact.started_at) if contact.started_at else None
    initial = {
        "started_date": contact.started_on,
        "started_time": local.time().replace(second=0, microsecond=0) if local else None,
        "version": contact.version,
    }
    for name in RegistrationFieldNames.contact:
        value = getattr(contact, name)
        if name == "team":
            value = contact.team.code if contact.team_id else ""
        elif name == "follow_up_of":
            value = str(contact.follow_up_of.uuid) if contact.follow_up_of_id else ""
        initial[name] = value
    text = contact.text if hasattr(contact, "text") else None
    initial["summary"] = text.summary if text else ""
    persons = [
        {
            "uuid": p.uuid,
            "gender": p.gender,
            "age": p.age,
            "problem": p.problem,
            "context": p.context,
            "violence_forms": [v.code for v in p.violence_forms.all()],
            "referrals": [r.code for r in p.referrals.all()],
        }
        for p in contact.persons.all()
    ]
    return initial, persons


class RegistrationFieldNames:
    contact = REGISTRATION_FIELDS


def initial_from_draft(data: dict) -> tuple[dict, list[dict]]:
    """The form's initial values from a draft's stored state (the browser's form fields)."""

    def one(name):
        value = data.get(name)
        return value[0] if isinstance(value, list) and value else value

    initial = {name: one(name) for name in ["started_date", "started_time", "summary", *RegistrationFieldNames.contact]}
    initial["actions"] = _as_list(data.get("actions"))
    try:
        total = int(one("persons-TOTAL_FORMS") or 0)
    except (TypeError, ValueError):
        total = 0
    persons = []
    for index in range(min(total, 50)):
        prefix = f"persons-{index}-"
        if one(prefix + "DELETE"):
            continue
        persons.append(
            {
                "uuid": one(prefix + "uuid") or None,
                "gender": one(prefix + "gender"),
                "age": one(prefix + "age"),
                "problem": one(prefix + "problem"),
                "context": one(prefix + "context"),
                "violence_forms": _as_list(data.get(prefix + "violence_forms")),
                "referrals": _as_list(data.get(prefix + "referrals")),
            }
        )
    return {k: v for k, v in initial.items() if v not in (None, "")}, persons


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def parse_time(value: str | None) -> time | None:
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None


class ContactFilterForm(forms.Form):
    """The list's filters: codes, dates and flags only, never free text."""

    date_from = forms.DateField(
        label=_("Van"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    channel = forms.ChoiceField(label=_("Kanaal"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    problem = forms.ChoiceField(label=_("Problematiek"), required=False)
    incomplete = forms.BooleanField(label=_("Enkel onvolledige"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        codes = Code.objects.filter(list__in=["channel", "problem"]).order_by("list", "sort")
        by_list = defaultdict(list)
        for code in codes:
            by_list[code.list].append((code.code, code.label))
        self.fields["channel"].choices = [("", _("Alle")), *by_list["channel"]]
        self.fields["problem"].choices = [("", _("Alle")), *by_list["problem"]]
        self.fields["team"].choices = [("", _("Alle")), *[(t.code, t.name) for t in teams_of(user)]]
        self.labels = {(c.list, c.code): c.label for c in codes}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("De einddatum ligt voor de begindatum."))
        return cleaned

    def active_filters(self) -> dict:
        """The applied filters as plain codes and ISO dates (what the audit trail records)."""
        if not self.is_valid():
            return {}
        out = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", False):
                continue
            out[name] = value.isoformat() if isinstance(value, date) else value
        return out
