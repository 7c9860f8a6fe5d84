from auditlog.registry import auditlog
from django.contrib import admin

from patients.admin import AuditedReadsAdmin

from .models import AfterCare, Demonstration, Program, ProgramChange, ProgramPause, RunLog, RunningGate, SetLog
from .services import demonstration_files_forget

# Set logs are not field-logged: a patient's own entries, and the one write on the hot path. A patient's mend of
# one (today's or yesterday's) and an admin's edit are each an AuditEvent naming the fields (AuditedReadsAdmin).
for model in (Program, ProgramPause, Demonstration):
    auditlog.register(model)


class ProgramPauseInline(admin.TabularInline):
    model = ProgramPause
    extra = 0


class ProgramChangeInline(admin.TabularInline):
    model = ProgramChange
    extra = 0
    can_delete = False
    readonly_fields = ("field", "old_value", "new_value", "changed_by", "changed_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Program)
class ProgramAdmin(AuditedReadsAdmin):
    list_display = ("id", "patient", "protocol", "status", "start_date", "end_date", "stopped_on")
    list_filter = ("protocol", "status", "start_date")
    search_fields = ("patient__user__username",)
    list_select_related = ("patient__user",)
    date_hierarchy = "start_date"
    raw_id_fields = ("patient", "created_by")
    inlines = [ProgramPauseInline, ProgramChangeInline]


@admin.register(SetLog)
class SetLogAdmin(AuditedReadsAdmin):
    list_display = ("patient", "date", "week", "exercise", "session", "reps", "load_kg", "pain")
    list_filter = ("exercise", "session", "week", "date")
    search_fields = ("patient__user__username", "client_id")
    list_select_related = ("patient__user",)
    date_hierarchy = "date"
    raw_id_fields = ("patient", "program")


class ReadOnlyAfterWeek12:
    """After week 12's rows are written by their services only (a decision notifies the patient; a run is
    judged by the pain rules): the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AfterCare)
class AfterCareAdmin(ReadOnlyAfterWeek12, AuditedReadsAdmin):
    patient_lookup = "program__patient__id"
    list_display = ("program", "state", "starts_on", "ends_on", "referral", "chosen_by", "chosen_at")
    list_filter = ("state", "referral")
    list_select_related = ("program", "chosen_by")


@admin.register(RunningGate)
class RunningGateAdmin(ReadOnlyAfterWeek12, AuditedReadsAdmin):
    patient_lookup = "aftercare__program__patient__id"
    list_display = ("aftercare", "pain_ok", "heel_raise_ok", "hopping_ok", "patient_ready", "signed_by", "signed_at")
    list_select_related = ("aftercare", "signed_by")


@admin.register(RunLog)
class RunLogAdmin(ReadOnlyAfterWeek12, AuditedReadsAdmin):
    list_display = ("patient", "date", "step", "minutes_run", "pain_during", "pain_next_morning")
    list_filter = ("date",)
    search_fields = ("patient__user__username", "client_id")
    list_select_related = ("patient__user",)
    raw_id_fields = ("patient", "aftercare")


@admin.register(Demonstration)
class DemonstrationAdmin(admin.ModelAdmin):
    """The clinic's own demonstrations: upload a video or images per exercise (README, "Demonstrations")."""

    list_display = ("exercise", "order", "kind", "caption", "content_type", "size", "active", "updated_at")
    list_filter = ("exercise", "kind", "active")
    list_editable = ("order", "active")
    list_display_links = ("exercise", "caption")
    readonly_fields = ("content_type", "size", "created_at", "updated_at")
    fields = ("exercise", "kind", "file", "caption", "order", "active", *readonly_fields)

    def save_model(self, request, obj, form, change):
        replaced = form.initial.get("file") if change and "file" in form.changed_data else None
        super().save_model(request, obj, form, change)
        if replaced:
            demonstration_files_forget(names=[str(replaced)])

    def delete_model(self, request, obj):
        name = obj.file.name
        super().delete_model(request, obj)
        demonstration_files_forget(names=[name])

    def delete_queryset(self, request, queryset):
        names = [row.file.name for row in queryset]
        super().delete_queryset(request, queryset)
        demonstration_files_forget(names=names)
