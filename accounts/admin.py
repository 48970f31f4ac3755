from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .models import TeamMembership, User

# Nobody, not even an administrator, reads another person's TOTP secret or backup codes:
# two-factor devices are reset (action below), never viewed. Roles replace groups.
for model in (TOTPDevice, StaticDevice, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Rol"), {"fields": ("role",)}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Rol"), {"fields": ("role",)}),
    )
    list_display = ("username", "first_name", "last_name", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "memberships__team")
    inlines = [TeamMembershipInline]
    actions = ["reset_two_factor"]

    @admin.action(description=_("Tweestapsverificatie wissen (opnieuw instellen bij volgende aanmelding)"))
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            services.two_factor_reset(actor=request.user, user=user)
        self.message_user(
            request,
            _("Tweestapsverificatie gewist voor %(count)d account(s).") % {"count": len(queryset)},
            messages.SUCCESS,
        )
