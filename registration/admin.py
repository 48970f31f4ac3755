"""Reference data in the Django admin, for administrators. Contacts, reported persons and
their free text are deliberately NOT registered here: the admin shows no case data."""

from django.contrib import admin

from .models import Closure, Code, OpeningHours, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "sort", "active")
    search_fields = ("code", "name")


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
