from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from . import services
from .audit import audit_record
from .clinics import clinics_for_user, is_install_admin
from .models import AuditEvent, CheckIn, Clinic, ClinicalNote, Membership, Patient, User, VisaA
from .scope import patients_for_user

admin.site.site_header = format_html('Rehab Tracker · <a href="{}">dashboard</a>', "/admin/dashboard/")
admin.site.site_title = "Rehab Tracker admin"

for model in (Patient, CheckIn, VisaA, ClinicalNote, User):
    auditlog.register(model, exclude_fields=["password", "last_login"] if model is User else None)


def patient_ids(model, pks, lookup: str | tuple[str, ...]) -> dict[str, int]:
    """``{str(pk): patient id}`` for rows of ``model``, following ``lookup`` (the first of several that leads
    somewhere) to the patient, in one query."""
    lookups = (lookup,) if isinstance(lookup, str) else lookup
    found: dict[str, int] = {}
    for pk, *pids in model._base_manager.filter(pk__in=list(pks)).values_list("pk", *lookups):
        pid = next((p for p in pids if p is not None), None)
        if pid is not None:
            found[str(pk)] = pid
    return found


class AuditedAdminMixin:
    """Every admin look at patient data is audited: a record opened, its history, a list page (search
    included), a delete-confirm page (one row or "Delete selected"); every change and every delete, one by one
    or in bulk.

    A change list of patients' rows is a read of each patient on the page; a search is named as such (the
    search words are not stored: they may be personal data). An edit is a ``change`` naming the fields.
    ``patient_lookup`` leads from a row to its patient (``patient_id``, or e.g. ``user__patient__id``; a tuple:
    the first that leads somewhere).
    """

    patient_lookup: str | tuple[str, ...] = "patient_id"
    # Rows that belong to a staff member rather than a patient (their own notifications, their account): shown
    # to the admins of the staff member's clinics. None: the model has no such rows.
    staff_lookup: str | None = None

    def get_queryset(self, request):
        """An admin sees its clinics' rows only (the install's superusers who belong to no clinic: all)."""
        rows = super().get_queryset(request)
        if is_install_admin(request.user):
            return rows
        return rows.filter(in_clinics_of(request.user, self.patient_lookup, self.staff_lookup))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Clinic:  # a row moves only between the admin's own clinics
            kwargs["queryset"] = clinics_for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def patient_ids_of(self, objs) -> list[int]:
        objs = [o for o in objs if o is not None and o.pk is not None]
        if not objs:
            return []
        if self.patient_lookup == "patient_id" and all(hasattr(o, "patient_id") for o in objs):
            return [o.patient_id for o in objs if o.patient_id is not None]  # no query: the page has them
        found = patient_ids(self.model, (o.pk for o in objs), self.patient_lookup)
        return [found[str(o.pk)] for o in objs if str(o.pk) in found]

    def _audit(self, request, objs, action: str, what: str) -> None:
        ids = self.patient_ids_of(objs)
        if ids:
            audit_record(user=request.user, patient_ids=ids, action=action, what=what)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            self._audit(request, [self.get_object(request, object_id)], "read", f"admin {request.path}")
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._audit(request, [self.get_object(request, object_id)], "read", f"admin history {request.path}")
        return super().history_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if hasattr(response, "context_data") else None
        if changelist is not None:
            searched = " search" if request.GET.get("q") else ""
            self._audit(request, changelist.result_list, "read", f"admin list{searched} {request.path}")
        return response

    def store(self, request, obj) -> None:
        """How an admin form's object is stored; a model whose writes have a service uses it here."""
        obj.save()

    def get_deleted_objects(self, objs, request):
        """Both delete-confirm pages list the rows (and what cascades): a read, until the delete is confirmed."""
        confirmed = request.method == "POST" and (request.POST.get("post") or "action" not in request.POST)
        if not confirmed:
            self._audit(request, list(objs), "read", f"admin delete-confirm {request.path}")
        return super().get_deleted_objects(objs, request)

    def save_model(self, request, obj, form, change):
        self.store(request, obj)
        fields = ", ".join(form.changed_data) or "nothing"
        self._audit(request, [obj], "change" if change else "create", f"admin {request.path} fields: {fields}")

    def delete_model(self, request, obj):
        ids = self.patient_ids_of([obj])
        super().delete_model(request, obj)
        audit_record(user=request.user, patient_ids=ids, action="delete", what=f"admin {request.path}")

    def delete_queryset(self, request, queryset):
        """ "Delete selected": one ``delete`` per patient whose rows went."""
        ids = self.patient_ids_of(list(queryset))
        super().delete_queryset(request, queryset)
        audit_record(user=request.user, patient_ids=ids, action="delete", what=f"admin bulk delete {request.path}")


class AuditedReadsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    pass


def in_clinics_of(user: User, patient_lookup: str | tuple[str, ...], staff_lookup: str | None = None) -> Q:
    """Rows whose patient (by any of ``patient_lookup``) is in ``user``'s scope, or whose staff member (by
    ``staff_lookup``) works in one of ``user``'s clinics."""
    patients = patients_for_user(user).values("id")
    lookups = (patient_lookup,) if isinstance(patient_lookup, str) else patient_lookup
    where = Q()
    for lookup in lookups:
        where |= Q(**{f"{lookup}__in": patients})
    if staff_lookup:
        staff = Membership.objects.filter(clinic__in=clinics_for_user(user)).values("user_id")
        where |= Q(**{f"{staff_lookup}__in": staff})
    return where


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    """A clinic's name, looks, contact texts and settings overrides; an admin sees the clinics it belongs to."""

    list_display = ("name", "slug", "contact_phone", "public_url")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=clinics_for_user(request.user).values("pk"))

    def has_add_permission(self, request):
        return is_install_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_install_admin(request.user)


# Where each field-logged model's rows lead to their patient (django-auditlog's entries are audited reads).
LOG_ENTRY_PATIENT = {"patients.patient": "id", "patients.user": "patient__id"}


@admin.register(User)
class RehabUserAdmin(AuditedAdminMixin, UserAdmin):
    """A patient's account page (name, e-mail, history) is theirs to read: audited as a read of the patient."""

    patient_lookup = "patient__id"
    staff_lookup = "id"
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

    def get_queryset(self, request):
        events = super().get_queryset(request)
        if is_install_admin(request.user):
            return events
        return events.filter(patient_id__in=patients_for_user(request.user).values("id"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditedLogEntryAdmin(AuditedAdminMixin, LogEntryAdmin):
    """django-auditlog's field changes (a clinical note's text, a check-in's values): reading them is a read
    of the patient they belong to, also when the row itself has been deleted since. The field log spans every
    clinic: only the install's superusers who belong to no clinic see it."""

    def has_module_permission(self, request):
        return is_install_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_install_admin(request.user)

    def patient_ids_of(self, entries) -> list[int]:
        by_model: dict = {}
        for entry in entries:
            by_model.setdefault(entry.content_type_id, []).append(entry)
        ids: list[int] = []
        for group in by_model.values():
            model = group[0].content_type.model_class()
            label = model._meta.label_lower if model else ""
            found = {}
            if model is not None:
                lookup = LOG_ENTRY_PATIENT.get(label) or _lookup_to_patient(model)
                if lookup:
                    found = patient_ids(model, (e.object_pk for e in group), lookup)
            for entry in group:
                pid = found.get(str(entry.object_pk)) or _patient_in_changes(entry)
                if pid is not None:
                    ids.append(pid)
        return ids


def _lookup_to_patient(model) -> str | None:
    names = {f.name for f in model._meta.get_fields()}
    if "patient" in names:
        return "patient_id"
    if "program" in names:
        return "program__patient_id"
    return None


def _patient_in_changes(entry) -> int | None:
    """A deleted row's entry still names its patient among the changes (``{"patient": [old, new]}``)."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    for value in changes.get("patient") or []:
        if str(value).isdigit():
            return int(value)
    return None
