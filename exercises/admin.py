from django.contrib import admin

from .models import Program, ProgramPause, SetLog


class ProgramPauseInline(admin.TabularInline):
    model = ProgramPause
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("id", "patient", "protocol", "status", "start_date", "end_date", "stopped_on")
    list_filter = ("protocol", "status", "start_date")
    search_fields = ("patient__user__username",)
    list_select_related = ("patient__user",)
    date_hierarchy = "start_date"
    raw_id_fields = ("patient", "created_by")
    inlines = [ProgramPauseInline]


@admin.register(SetLog)
class SetLogAdmin(admin.ModelAdmin):
    list_display = ("patient", "date", "week", "exercise", "session", "reps", "load_kg", "pain")
    list_filter = ("exercise", "session", "week", "date")
    search_fields = ("patient__user__username", "client_id")
    list_select_related = ("patient__user",)
    date_hierarchy = "date"
    raw_id_fields = ("patient", "program")
