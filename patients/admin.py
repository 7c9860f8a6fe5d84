from auditlog.registry import auditlog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html

from . import services
from .audit import audit_record
from .models import AuditEvent, CheckIn, ClinicalNote, Patient, User, VisaA

admin.site.site_header = format_html('Rehab Tracker · <a href="{}">dashboard</a>', "/admin/dashboard/")
admin.site.site_title = "Rehab Tracker admin"

for model in (Patient, CheckIn, VisaA, ClinicalNote, User):
    auditlog.register(model, exclude_fields=["password", "last_login"] if model is User else None)


def _patient_of(obj) -> int | None:
    if isinstance(obj, Patient):
        return obj.pk
    return getattr(obj, "patient_id", None)


class AuditedReadsAdmin(admin.ModelAdmin):
    """Every admin look at patient data is audited: a record opened, a list page (search included), a change.

    A change list of patients' rows is a read of each patient on the page; a search is named as such (the
    search words are not stored: they may be personal data). An edit is a ``change`` naming the fields.
    """

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET":
            audit_record(user=request.user, patient_ids=[_patient_of(obj)], action="read", what=f"admin {request.path}")
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if changelist is not None:
            searched = " search" if request.GET.get("q") else ""
            audit_record(
                user=request.user,
                patient_ids=[pid for pid in map(_patient_of, changelist.result_list) if pid is not None],
                action="read",
                what=f"admin list{searched} {request.path}",
            )
        return response

    def store(self, request, obj) -> None:
        """How an admin form's object is stored; a model whose writes have a service uses it here."""
        obj.save()

    def save_model(self, request, obj, form, change):
        self.store(request, obj)
        fields = ", ".join(form.changed_data) or "nothing"
        audit_record(
            user=request.user,
            patient_ids=[_patient_of(obj)],
            action="change" if change else "create",
            what=f"admin {request.path} fields: {fields}",
        )

    def delete_model(self, request, obj):
        patient_id = _patient_of(obj)
        super().delete_model(request, obj)
        audit_record(user=request.user, patient_ids=[patient_id], action="delete", what=f"admin {request.path}")


@admin.register(User)
class RehabUserAdmin(UserAdmin):
    list_display = ("username", "role", "is_staff", "is_active", "date_joined")
    list_filter = ("role", "is_staff", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Rehab Tracker", {"fields": ("role",)}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Rehab Tracker", {"fields": ("role",)}))


@admin.register(CheckIn)
class CheckInAdmin(AuditedReadsAdmin):
    list_display = ("patient", "date", "morning_pain", "morning_stiffness_minutes", "red_flags")
    list_filter = ("date",)
    search_fields = ("patient__user__username",)
    list_select_related = ("patient__user",)
    date_hierarchy = "date"
    raw_id_fields = ("patient",)

    def store(self, request, obj) -> None:
        services.checkin_save(obj)  # a red flag phoned in to the clinic is acted on like one from the app


@admin.register(VisaA)
class VisaAAdmin(AuditedReadsAdmin):
    list_display = ("patient", "date", "score", "entered_by")
    list_filter = ("date",)
    search_fields = ("patient__user__username",)
    list_select_related = ("patient__user", "entered_by")
    date_hierarchy = "date"
    raw_id_fields = ("patient",)
    readonly_fields = ("score", "entered_by")  # the score is always the sum of the answers (the model sums)

    def store(self, request, obj) -> None:
        if obj.entered_by_id is None:
            obj.entered_by = request.user
        obj.save()


@admin.register(ClinicalNote)
class ClinicalNoteAdmin(AuditedReadsAdmin):
    list_display = ("patient", "author", "created_at")
    search_fields = ("patient__user__username", "text")
    list_select_related = ("patient__user", "author")
    raw_id_fields = ("patient", "author")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail cannot be added to, edited or deleted here (nor in the database, on PostgreSQL)."""

    list_display = ("at", "user", "patient_link", "action", "what")
    list_filter = ("action", "at")
    search_fields = ("what",)
    date_hierarchy = "at"

    @admin.display(description="patient")
    def patient_link(self, event):
        return format_html('<a href="{}">{}</a>', reverse("admin:patients_patient_change", args=[event.patient_id]),
                           event.patient_id)  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
