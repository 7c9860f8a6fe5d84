"""The audit trail of clinicians' and admins' access to patient data (reads and writes)."""

from collections.abc import Iterable

from auditlog.context import auditlog_value

from .models import AuditEvent, Role, User


def audit_record(*, user: User, patient_ids: Iterable[int], action: str, what: str) -> None:
    """One append-only row per patient; patients reading their own data are not audited."""
    if not user.is_authenticated or (user.role == Role.PATIENT and not user.is_superuser):
        return
    AuditEvent.objects.bulk_create(
        AuditEvent(user=user, patient_id=pid, action=action, what=what[:200]) for pid in dict.fromkeys(patient_ids)
    )


class AuditedView:
    """DRF views: record successful reads and writes of the patients a view names in ``self.audited``."""

    def initial(self, request, *args, **kwargs):
        self.audited: list[int] = []
        super().initial(request, *args, **kwargs)
        _tell_auditlog(request.user)

    def audit(self, *patient_ids: int | None) -> None:
        self.audited.extend(pid for pid in patient_ids if pid is not None)

    def paginate_queryset(self, queryset):  # lists: every patient whose rows are on the page
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.audit(*(getattr(row, "patient_id", None) for row in page))
        return page

    def get_object(self):  # details: the patient the object belongs to
        obj = super().get_object()
        self.audit(getattr(obj, "patient_id", None))
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "audited", None) and response.status_code < 400:
            action = {"GET": "read", "POST": "create", "PATCH": "change", "PUT": "change", "DELETE": "delete"}
            audit_record(
                user=request.user,
                patient_ids=self.audited,
                action=action.get(request.method, request.method.lower()),
                what=f"{request.method} {request.path}",
            )
        return response


def _tell_auditlog(user: User) -> None:
    """django-auditlog's middleware runs before DRF authenticates a bearer token: name the actor now."""
    context = auditlog_value.get(None)
    if context is not None and context.get("actor") is None and user.is_authenticated:
        context["actor"] = user
