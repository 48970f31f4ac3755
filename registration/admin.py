"""Reference data in the Django admin, for administrators. Contacts, reported persons and
their free text are deliberately NOT registered here: the admin shows no case data."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Closure, Code, OpeningHours, Team


def team_in_use(team: Team) -> bool:
    """Return whether any row points at the team: contacts (deleted ones too), memberships,
    follow-up items, proposals. Such a team is retired (active off), never deleted."""
    for relation in team._meta.related_objects:
        if relation.related_model._base_manager.filter(**{relation.field.name: team}).exists():
            return True
    return False


RETIRE_MESSAGE = _(
    'Een team met contacten of leden kan niet verwijderd worden: zet het op rust door "actief" uit te zetten.'
)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort", "active")
    search_fields = ("code", "name")
    fieldsets = ((None, {"fields": ("code", "name", "sort", "active"), "description": RETIRE_MESSAGE}),)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and team_in_use(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # The bulk delete's confirmation page would list every protected contact by name.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        # Refused before Django builds its page of related objects, which would name contacts.
        team = self.get_object(request, unquote(object_id))
        if team is not None and team_in_use(team):
            messages.error(request, RETIRE_MESSAGE)
            return redirect(reverse("admin:registration_team_change", args=[team.pk]))
        return super().delete_view(request, object_id, extra_context)


@admin.register(Code)
class CodeAdmin(admin.ModelAdmin):
    list_display = ("list", "code", "label_nl", "label_en", "group_nl", "sort", "valid_from", "valid_until")
    list_filter = ("list",)
    # The search words are edited here like the labels: the registration screen's type-ahead finds them.
    search_fields = ("code", "label_nl", "label_en", "search_nl", "search_en")
    ordering = ("list", "sort", "code")


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ("channel", "valid_from", "weekday", "opens", "closes", "always", "assumed")
    list_filter = ("channel",)


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("date", "name")
    date_hierarchy = "date"
