from auditlog.registry import auditlog
from django.contrib import admin

from patients.admin import AuditedReadsAdmin

from .models import Delivery, Flag, FollowUp, Notification, OutcomeReview, PushSubscription, Reminder, ReminderTime

auditlog.register(Flag)


@admin.register(Flag)
class FlagAdmin(AuditedReadsAdmin):
    list_display = ("patient", "kind", "level", "status", "created_at", "acknowledged_at", "resolved_at")
    list_filter = ("kind", "level", "status", "created_at")
    search_fields = ("patient__user__username", "reason")
    list_select_related = ("patient__user",)
    date_hierarchy = "created_at"
    raw_id_fields = ("patient", "acknowledged_by", "resolved_by")


@admin.register(Reminder)
class ReminderAdmin(AuditedReadsAdmin):
    list_display = ("patient", "local_date", "slot", "status", "skip_reason", "due_at", "processed_at")
    list_filter = ("status", "skip_reason", "local_date")
    search_fields = ("patient__user__username",)
    list_select_related = ("patient__user",)
    date_hierarchy = "local_date"
    raw_id_fields = ("patient",)


@admin.register(ReminderTime)
class ReminderTimeAdmin(AuditedReadsAdmin):
    list_display = ("patient", "local_time")
    search_fields = ("patient__user__username",)
    list_select_related = ("patient__user",)
    raw_id_fields = ("patient",)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ("channel", "target", "status", "attempts", "last_error", "claimed_at", "sent_at")
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(AuditedReadsAdmin):
    patient_lookup = ("patient_id", "user__patient__id")  # about a patient, or a patient's own
    staff_lookup = "user_id"
    list_display = ("user", "kind", "title", "created_at", "read_at")
    list_filter = ("kind", "created_at")
    search_fields = ("user__username", "title")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "patient", "flag", "replaced_by")
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(AuditedReadsAdmin):
    patient_lookup = ("notification__patient_id", "notification__user__patient__id")
    staff_lookup = "notification__user_id"
    list_display = ("notification", "channel", "status", "attempts", "last_error", "created_at", "sent_at")
    list_filter = ("channel", "status", "created_at")
    list_select_related = ("notification",)
    raw_id_fields = ("notification",)


@admin.register(PushSubscription)
class PushSubscriptionAdmin(AuditedReadsAdmin):
    patient_lookup = "user__patient__id"
    staff_lookup = "user_id"
    list_display = ("user", "endpoint", "created_at")
    search_fields = ("user__username", "endpoint")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(FollowUp)
class FollowUpAdmin(AuditedReadsAdmin):
    """The 6- and 12-month follow-up VISA-A due times (stored when the review is decided, swept by beat)."""

    patient_lookup = "program__patient__id"
    list_display = ("program", "months", "due_on", "due_at", "reminded_at", "judged_at", "score")
    list_filter = ("months", "due_on")
    list_select_related = ("program",)
    readonly_fields = ("program", "months", "due_on", "due_at", "reminded_at", "judged_at", "score")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutcomeReview)
class OutcomeReviewAdmin(AuditedReadsAdmin):
    """End-of-week-12 reviews; the decision is made on the patient's page (it notifies the patient)."""

    patient_lookup = "program__patient__id"
    list_display = ("program", "baseline", "outcome", "review_due", "decided_by", "decided_at")
    list_filter = ("review_due",)
    list_select_related = ("program", "decided_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
