"""Accounts in the Django admin, under separation of duties (issue 11).

The administrator manages accounts but can never give anyone, themselves included, access to
contacts: access is granted by a team's coordinator (counsellors, accounts.grants) or by two
people (team coordinators). So in the admin:

- roles are read-only for everyone; the add form creates administrator and Flemish-coordinator
  accounts only, without memberships;
- memberships are shown, never added, changed or deleted;
- of an account that reads contacts (counsellor, team coordinator) and of the Flemish
  coordinator (the second person of the two-person rule) nothing can be changed but "active"
  off: no password, e-mail, username or rights; a record-role account is not reactivated here;
- two-factor is reset here only for accounts that read no contacts;
- an account that reads contacts or has memberships is deactivated, never deleted.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_event

from . import services
from .access import RECORD_ROLES
from .models import Role, TeamMembership, User
from .validators import TAKEN_MESSAGE, username_clean, username_in_use

# Nobody, not even an administrator, reads another person's TOTP secret or backup codes:
# two-factor devices are reset (action below), never viewed. Roles replace groups.
for model in (TOTPDevice, StaticDevice, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

# Roles an administrator may give, at creation only: they read no contacts.
CREATABLE_ROLES = (Role.ADMINISTRATOR, Role.FLEMISH_COORDINATOR)


def reads_contacts(user: User) -> bool:
    return user.role in RECORD_ROLES


def guarded(user: User) -> bool:
    """Accounts whose credentials and rights the admin never touches: those that read contacts,
    and the Flemish coordinator, who confirms what an administrator proposes."""
    return reads_contacts(user) or user.role == Role.FLEMISH_COORDINATOR


class TeamMembershipInline(admin.TabularInline):
    """Shown, never edited: memberships are granted by the team's coordinator (accounts.grants)."""

    model = TeamMembership
    extra = 0
    max_num = 0
    can_delete = False
    fields = readonly_fields = ("team", "valid_from", "valid_until")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _clean_username(form, *, exclude_pk=None) -> str:
    try:
        username = username_clean(form.cleaned_data["username"])
    except ValidationError as error:
        raise forms.ValidationError(error.messages) from error
    if username_in_use(username, exclude_pk=exclude_pk):
        raise forms.ValidationError(TAKEN_MESSAGE, code="taken")
    return username


class AccountCreationForm(AdminUserCreationForm):
    """Creates administrator and Flemish-coordinator accounts only (they read no contacts)."""

    # A plain field: Django's UsernameField would turn fullwidth letters into ASCII before the
    # validator could refuse them.
    username = forms.CharField(label=_("Gebruikersnaam"), max_length=150)
    role = forms.ChoiceField(label=_("Rol"), choices=[(role.value, role.label) for role in CREATABLE_ROLES])

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")

    def clean_username(self):
        return _clean_username(self)

    def save(self, commit=True):
        user = super().save(commit=False)
        user.role = self.cleaned_data["role"]
        # An administrator needs the admin site; the Flemish coordinator does not.
        user.is_staff = user.is_superuser = user.role == Role.ADMINISTRATOR
        if commit:
            user.save()
        return user


class AccountChangeForm(UserChangeForm):
    username = forms.CharField(label=_("Gebruikersnaam"), max_length=150)

    class Meta(UserChangeForm.Meta):
        model = User

    def clean_username(self):
        return _clean_username(self, exclude_pk=self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        if (
            reads_contacts(self.instance)
            and not self.instance.is_active
            and cleaned.get("is_active", self.instance.is_active)
        ):
            # Giving a counsellor back their access is the team coordinator's decision.
            raise forms.ValidationError(
                _("Een account dat contacten leest, heractiveert alleen de teamcoördinator (of twee personen).")
            )
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Rol"), {"fields": ("role",)}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (
            _("Rol"),
            {
                "fields": ("role",),
                "description": _(
                    "Hulpverleners nodigt hun teamcoördinator uit; " "teamcoördinatoren maken twee personen aan."
                ),
            },
        ),
        (_("Persoonlijke gegevens"), {"fields": ("first_name", "last_name", "email")}),
    )
    list_display = ("username", "first_name", "last_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "memberships__team")
    actions = ["reset_two_factor"]

    def get_inlines(self, request, obj):
        # Memberships are never created with an account here: the add page has no inline at all.
        return [TeamMembershipInline] if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and guarded(obj):
            # Without the password field there is no "reset password" button either.
            fieldsets = [
                (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
                for name, options in fieldsets
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if guarded(obj):
            editable = {"is_active"}
            return [f for f in self.model_field_names() if f not in editable]
        return ("role", "last_login", "date_joined")

    def model_field_names(self) -> list[str]:
        names = []
        for _name, options in BaseUserAdmin.fieldsets + (("", {"fields": ("role",)}),):
            names.extend(f for f in options["fields"] if f != "password")
        return names

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (
            reads_contacts(obj) or obj.pk == request.user.pk or obj.memberships.exists() or obj.drafts.exists()
        ):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Bulk deletion would bypass the per-account rule above.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            audit_event(request.user, "account_created", details={"user_id": obj.pk, "role": obj.role})
        elif "is_active" in form.changed_data:
            action = "account_deactivated" if not obj.is_active else "account_reactivated"
            teams = sorted(obj.teams_on().values_list("code", flat=True)) or [""]
            for team in teams:
                audit_event(request.user, action, details={"user_id": obj.pk, "team": team, "via_admin": True})
            if not obj.is_active:
                services.sessions_end(obj)

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        if user is not None and guarded(user):
            messages.error(
                request,
                _("Het wachtwoord van dit account stelt alleen de eigenaar zelf in (via een uitnodigingslink)."),
            )
            return redirect(reverse("admin:accounts_user_change", args=[user.pk]))
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and user is not None:
            audit_event(request.user, "password_set_by_admin", details={"user_id": user.pk})
        return response

    @admin.action(description=_("Tweestapsverificatie wissen (opnieuw instellen bij volgende aanmelding)"))
    def reset_two_factor(self, request, queryset):
        refused = [user for user in queryset if reads_contacts(user)]
        allowed = [user for user in queryset if not reads_contacts(user)]
        for user in allowed:
            services.two_factor_reset(actor=request.user, user=user, request=request)
        if allowed:
            self.message_user(
                request,
                _("Tweestapsverificatie gewist voor %(count)d account(s).") % {"count": len(allowed)},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                _("Niet gewist voor %(count)d account(s) dat contacten leest: dat doet hun teamcoördinator.")
                % {"count": len(refused)},
                messages.ERROR,
            )
