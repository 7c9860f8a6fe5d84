from django.contrib import admin

from .models import Message, TimeEntry


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: a conversation changes only through the app (its writes notify and are audited)."""

    list_display = ["id", "patient", "role", "kind", "created_at"]
    list_filter = ["role", "kind"]
    readonly_fields = ["patient", "author", "role", "kind", "body", "client_id", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TimeEntry)
class TimeEntryAdmin(admin.ModelAdmin):
    list_display = ["id", "patient", "clinician", "activity", "minutes", "date"]
    list_filter = ["activity"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
