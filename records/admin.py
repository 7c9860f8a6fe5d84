"""The patient list in the admin: a caseload with its figures and open-flag filter (reads every app)."""

from django.contrib import admin
from django.db.models import Exists, OuterRef

from notifications.models import Flag
from notifications.selectors import open_flag_exists
from patients.admin import AuditedReadsAdmin
from patients.models import Patient

from .caseload import with_caseload_figures


class OpenFlagFilter(admin.SimpleListFilter):
    title = "open flag"
    parameter_name = "open_flag"

    def lookups(self, request, model_admin):
        return [("non_adherence", "Non-adherent"), ("red_flag", "Red flag open"), ("pain", "Pain"), ("any", "Any")]

    def queryset(self, request, queryset):
        if self.value() == "any":
            return queryset.filter(open_flag_exists())
        if self.value():
            return queryset.filter(open_flag_exists(kind=self.value()))
        return queryset


@admin.register(Patient)
class PatientAdmin(AuditedReadsAdmin):
    patient_lookup = "id"
    list_display = (
        "id", "user", "clinic", "tendinopathy", "timezone", "physio", "physician", "adherence_7d", "open_flag_count",
        "reminders_enabled",
    )  # fmt: skip
    list_filter = (
        OpenFlagFilter, "tendinopathy", "side", "reminders_enabled", ("clinic", admin.RelatedOnlyFieldListFilter),
        ("physio", admin.RelatedOnlyFieldListFilter), ("physician", admin.RelatedOnlyFieldListFilter),
    )  # fmt: skip
    search_fields = ("user__username", "user__first_name", "user__last_name", "record_number")
    list_select_related = ("user", "clinic", "physio", "physician")
    raw_id_fields = ("user",)

    def get_queryset(self, request):
        flags = Flag.objects.open().filter(patient=OuterRef("pk"))
        return super().get_queryset(request).annotate(has_open_flag=Exists(flags))

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        with_caseload_figures(list(changelist.result_list))  # the page's figures in a fixed number of queries
        return changelist

    @admin.display(description="7-day adherence")
    def adherence_7d(self, patient):
        value = getattr(patient, "adherence_7d", None)
        return "–" if value is None else f"{round(value * 100)}%"

    @admin.display(description="open flags", boolean=True, ordering="has_open_flag")
    def open_flag_count(self, patient):
        return patient.has_open_flag
