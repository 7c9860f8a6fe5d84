from django.contrib import admin

from .models import Flag


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ("patient", "kind", "level", "status", "created_at", "acknowledged_at", "resolved_at")
    list_filter = ("kind", "level", "status", "created_at")
    search_fields = ("patient__user__username", "reason")
    list_select_related = ("patient__user",)
    date_hierarchy = "created_at"
    raw_id_fields = ("patient", "acknowledged_by", "resolved_by")
