from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail holds ids and filters, and nobody edits it."""

    list_display = ("at", "actor_username", "action", "via")
    list_filter = ("action", "via")
    search_fields = ("actor_username", "action")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "actor_username", "action", "via", "details")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
