"""The audit trail of clinicians' and admins' access to patient data (reads and writes)."""

from collections.abc import Iterable

from auditlog.context import auditlog_value
from django.http import Http404

from core.permissions import PATIENT, role_of

from .models import AuditEvent, Patient, User

REFUSED = "refused"


def audit_record(*, user: User, patient_ids: Iterable[int | None], action: str, what: str, own: bool = False) -> None:
    """One append-only row per patient. Patients reading their own data are not audited; anyone's refused
    attempt on a patient's data is (``refused``: a 404 on someone else's record is how snooping shows), and so
    is a patient's own change or deletion of what clinicians already saw (``own``: a mended set)."""
    if not user.is_authenticated or (role_of(user) == PATIENT and action != REFUSED and not own):
        return
    AuditEvent.objects.bulk_create(
        AuditEvent(user=user, patient_id=pid, action=action, what=what[:200])
        for pid in dict.fromkeys(patient_ids)
        if pid is not None
    )


def audit_refused(request, patient_id: int | None) -> None:
    audit_record(user=request.user, patient_ids=[patient_id], action=REFUSED, what=f"{request.method} {request.path}")


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
        try:
            obj = super().get_object()
        except Http404:
            audit_refused(self.request, self._patient_behind(self.kwargs.get(self.lookup_url_kwarg or "pk")))
            raise
        self.audit(getattr(obj, "patient_id", None))
        return obj

    def _patient_behind(self, pk) -> int | None:
        """Whose data an out-of-scope id names (None when nothing has that id)."""
        if not str(pk).isascii() or not str(pk).isdigit():
            return None
        model = self.get_queryset().model
        if model is Patient:
            return int(pk) if Patient.objects.filter(pk=pk).exists() else None
        return model.objects.filter(pk=pk).values_list("patient_id", flat=True).first()

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
