"""The registration form (contact + reported persons) and the list filters.

The form offers only codes valid on the contact's local date and refuses any other code
with a message next to its field. Every field may stay empty (Leeg) except the date.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.utils import formats, timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .codebook import CodeBook
from .form_state import MAX_PERSONS, person_values, signed_state
from .models import (
    CONTACT_CODE_LISTS,
    CONTACT_MULTI_CODE_LISTS,
    HANDLING_CHOICES,
    HELPLINE_START,
    PERSON_CODE_LISTS,
    PERSON_MULTI_CODE_LISTS,
    REGISTRATION_FIELDS,
    Contact,
)
from .selectors import contacts_visible_to, registrants_of, teams_of
from .services import PersonInput, RegistrationInput

EMPTY_LABEL = _("— leeg —")
# Lists long enough to want type-ahead on the screen (the rest are short native selects).
TYPEAHEAD_LISTS = {"caller_relation", "problem", "context", "violence_forms", "referrals"}


def _html_attrs(attrs: dict) -> str:
    """Django's widgets/attrs.html in Python: ` name="value"`, a bare name for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class PythonRenderedSelect:
    """A select (single or multiple) rendered in Python, to the byte what Django's templates render.

    Django renders a select through its template engine, one included template per option (and
    per attribute): the registration form's ~400 options were most of the form page's CPU, and
    the list's filters a good part of the list's. Same context (get_context, optgroups,
    create_option and its data-search words), same HTML (tests/registration/test_list_request_cost.py
    compares the two on the real forms).
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_html_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{escape(str(option["value"]))}"{_html_attrs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class Select(PythonRenderedSelect, forms.Select):
    pass


class SearchWordsMixin:
    """A select whose options carry their search words (data-search) for the page's type-ahead.

    The words are data (Code.search_nl / search_en); the page script ranks on them.
    """

    search_words: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        words = self.search_words.get(str(value))
        if words:
            option["attrs"]["data-search"] = words
        return option


class CodeSelect(PythonRenderedSelect, SearchWordsMixin, forms.Select):
    pass


class CodeSelectMultiple(PythonRenderedSelect, SearchWordsMixin, forms.SelectMultiple):
    pass


class CodeField(forms.ChoiceField):
    """A coded field: the options are its list's codes valid on the contact's date.

    The form names the list (from the facts in models.py) when it binds its code book.
    """

    widget = CodeSelect

    def __init__(self, *, grouped: bool = False, **kwargs):
        self.list_name = ""
        self.grouped = grouped
        self.book: CodeBook | None = None
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def bind_book(self, book: CodeBook, list_name: str, selected=()) -> None:
        self.book, self.list_name = book, list_name
        choices = book.choices(list_name, grouped=self.grouped, selected=selected)
        self.choices = [("", EMPTY_LABEL), *choices]

    def validate(self, value):
        if value in self.empty_values:
            return super().validate(value)
        check_code(self.book, self.list_name, value)

    def valid_value(self, value):
        return True  # judged in validate() with a precise message


class CodeMultipleField(forms.MultipleChoiceField):
    widget = CodeSelectMultiple

    def __init__(self, **kwargs):
        self.list_name = ""
        self.book: CodeBook | None = None
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def bind_book(self, book: CodeBook, list_name: str, selected=()) -> None:
        self.book, self.list_name = book, list_name
        self.choices = book.choices(list_name, selected=selected)

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


def bind_code_fields(form: forms.Form, book: CodeBook, code_lists: dict[str, str]) -> None:
    """Give each coded field of the form its list's options on the book's day."""
    for name, list_name in code_lists.items():
        field = form.fields[name]
        field.bind_book(book, list_name, selected=_selected(form, name))
        if list_name in TYPEAHEAD_LISTS:
            field.widget.attrs["data-typeahead"] = "1"
            field.widget.search_words = book.search_texts(list_name)


def _selected(form: forms.Form, name: str) -> list[str]:
    """The codes chosen so far: submitted, else initial (so an old value stays an option)."""
    value = _submitted(form, name) or form.initial.get(name)
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def handling_field(name: str, label) -> forms.ChoiceField:
    """A structured handling field, offering its allowed values (HANDLING_CHOICES) or Leeg."""
    return forms.ChoiceField(
        label=label, choices=[("", EMPTY_LABEL), *HANDLING_CHOICES[name].choices], required=False, widget=Select
    )


class ContactForm(forms.Form):
    # Which code list each coded field reads: the facts of models.py.
    code_lists = {**CONTACT_CODE_LISTS, **CONTACT_MULTI_CODE_LISTS}

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
    channel = CodeField(label=_("Kanaal"))
    team = forms.ChoiceField(label=_("Team"), required=False, widget=Select)
    caller_region = CodeField(label=_("Regio gekozen in het telefoonmenu"))
    caller_age = CodeField(label=_("Leeftijd contactnemer"))
    caller_gender = CodeField(label=_("Gender contactnemer"))
    anonymous = CodeField(label=_("Anoniem"))
    caller_relation = CodeField(grouped=True, label=_("Relatie tot het slachtoffer"))
    follow_up_of = forms.ChoiceField(
        label=_("Opvolging van"), required=False, widget=Select(attrs={"data-typeahead": "1"})
    )

    concerning = handling_field("concerning", _("Verontrustend"))
    risk_level = handling_field("risk_level", _("Risico"))
    help_involved = handling_field("help_involved", _("Hulpverlening al betrokken"))
    justice_involved = handling_field("justice_involved", _("Justitie al betrokken"))
    manifest_safety_risk = handling_field("manifest_safety_risk", _("Manifest veiligheidsrisico"))
    actions = CodeMultipleField(label=_("Acties"), widget=forms.CheckboxSelectMultiple)
    new_contact_expected = handling_field("new_contact_expected", _("Nieuw contact verwacht"))
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
        bind_code_fields(self, book, self.code_lists)
        # The user's teams, read once: the team choices, clean_team and the follow-up choices use them.
        self.teams = list(teams_of(user))
        self.fields["team"].choices = [("", EMPTY_LABEL), *[(t.code, t.name) for t in self.teams]]
        # Read when first needed (the page shows them, or a follow-up was chosen), then kept: a
        # save without a follow-up does not read the team's recent contacts.
        loaded: list[list] = []

        def follow_up_choices() -> list:
            if not loaded:
                loaded.append(self._follow_up_choices())
            return loaded[0]

        self.fields["follow_up_of"].choices = follow_up_choices

    def _follow_up_choices(self) -> list:
        visible = contacts_visible_to(self.user, teams=self.teams).select_related("team")
        if self.contact is not None:
            visible = visible.exclude(pk=self.contact.pk)
        recent = list(visible.order_by("-started_on", "-started_at", "-id")[:15])
        wanted = _selected(self, "follow_up_of")
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
        contact = contacts_visible_to(self.user, teams=self.teams).filter(uuid=value).first()
        if contact is None or (self.contact is not None and contact.pk == self.contact.pk):
            raise forms.ValidationError(_("Dit contact bestaat niet of je hebt er geen toegang toe."))
        return contact

    def clean_team(self):
        value = self.cleaned_data.get("team")
        if not value:
            return None
        team = next((t for t in self.teams if t.code == value), None)
        if team is None:
            raise forms.ValidationError(_("Je kunt niet registreren voor dit team."))
        return team

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("started_date")
        if day and day > timezone.localdate():
            self.add_error("started_date", _("De datum ligt in de toekomst."))
        elif day and day < HELPLINE_START:
            start = formats.date_format(HELPLINE_START, "j F Y")
            self.add_error("started_date", _("De datum ligt voor de start van de hulplijn (%(day)s).") % {"day": start})
        return cleaned

    def base_state(self) -> dict | None:
        return signed_state(self.cleaned_data.get("base") if hasattr(self, "cleaned_data") else None)


def _submitted(form: forms.Form, name: str) -> list | None:
    if not form.is_bound:
        return None
    key = form.add_prefix(name)
    if hasattr(form.data, "getlist"):
        return form.data.getlist(key) or None
    value = form.data.get(key)
    return None if value is None else (value if isinstance(value, list) else [value])


def contact_choice_label(contact: Contact) -> str:
    when = timezone.localtime(contact.started_at) if contact.started_at else None
    stamp = formats.date_format(when, "d/m/Y H:i") if when else formats.date_format(contact.started_on, "d/m/Y")
    team = contact.team.name if contact.team_id else "—"
    return f"{stamp} · {contact.channel or '—'} · {team} · {str(contact.uuid)[:8]}"


class PersonForm(forms.Form):
    code_lists = {**PERSON_CODE_LISTS, **PERSON_MULTI_CODE_LISTS}

    uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)
    gender = CodeField(label=_("Gender"))
    age = CodeField(label=_("Leeftijd"))
    problem = CodeField(label=_("Belangrijkste problematiek"))
    context = CodeField(label=_("Context"))
    violence_forms = CodeMultipleField(label=_("Vormen van geweld"))
    referrals = CodeMultipleField(label=_("Doorverwijzingen"))

    def __init__(self, *args, book: CodeBook, **kwargs):
        super().__init__(*args, **kwargs)
        bind_code_fields(self, book, self.code_lists)


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
    PersonForm, formset=BasePersonFormSet, extra=0, can_delete=True, max_num=MAX_PERSONS, validate_max=True
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


def forms_valid(form: ContactForm, formset) -> bool:
    """Validate the contact form and its persons, both, so every error is shown at once."""
    form_ok = form.is_valid()
    return formset.is_valid() and form_ok


def registration_input(form: ContactForm, formset) -> RegistrationInput:
    """Turn the valid forms into the services' input."""
    cleaned = form.cleaned_data
    day = cleaned["started_date"]
    moment = cleaned.get("started_time")
    started_at = None
    if moment is not None:
        started_at = timezone.make_aware(datetime.combine(day, moment), timezone.get_default_timezone())
    fields = {name: cleaned.get(name) for name in REGISTRATION_FIELDS}
    # A person the counsellor added stays, even with every field Leeg; a removed one goes.
    persons = [
        PersonInput(**person_values(person, person), uuid=person.get("uuid"))
        for person in (person_form.cleaned_data for person_form in formset.forms)
        if not person.get("DELETE")
    ]
    return RegistrationInput(
        started_on=day, started_at=started_at, fields=fields, persons=persons, summary=cleaned.get("summary") or ""
    )


# The list's coded filters and the lists they read.
FILTER_CODE_LISTS = {
    "channel": CONTACT_CODE_LISTS["channel"],
    "caller_region": CONTACT_CODE_LISTS["caller_region"],
    "problem": PERSON_CODE_LISTS["problem"],
}


class ContactFilterForm(forms.Form):
    """The list's filters: codes, dates and flags only, never free text."""

    date_from = forms.DateField(
        label=_("Van"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    channel = forms.ChoiceField(label=_("Kanaal"), required=False, widget=Select)
    caller_region = forms.ChoiceField(label=_("Regio contactnemer"), required=False, widget=Select)
    team = forms.ChoiceField(label=_("Team"), required=False, widget=Select)
    problem = forms.ChoiceField(label=_("Problematiek"), required=False, widget=Select)
    incomplete = forms.BooleanField(label=_("Enkel onvolledige"), required=False)

    def __init__(self, *args, user, teams=None, **kwargs):
        """`teams`: the user's teams (`list(teams_of(user))`) when the caller has read them already."""
        super().__init__(*args, **kwargs)
        # Every code, retired ones too: the list reaches back to the helpline's start.
        self.book = CodeBook(lists=FILTER_CODE_LISTS.values())
        for name, list_name in FILTER_CODE_LISTS.items():
            self.fields[name].choices = [("", _("Alle")), *[(c.code, c.label) for c in self.book.codes[list_name]]]
        teams = teams_of(user) if teams is None else teams
        self.fields["team"].choices = [("", _("Alle")), *[(t.code, t.name) for t in teams]]
        if self.data.get("counsellor"):
            # Only when a link asks for it (the dashboard's per-counsellor figures): the plain list
            # does not pay the query for the choices.
            self.fields["counsellor"] = forms.ChoiceField(
                label=_("Geregistreerd door"),
                required=False,
                choices=[("", _("Alle")), *registrants_of(user)],
                widget=Select,
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("De einddatum ligt voor de begindatum."))
        return cleaned

    def filters(self) -> dict | None:
        """The applied filters by name, only those set ({} when unbound); None when invalid."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return None
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}

    def active_filters(self) -> dict:
        """The applied filters as plain codes and ISO dates (what the audit trail records)."""
        return {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in (self.filters() or {}).items()
        }
