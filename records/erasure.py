"""A patient's right to their data (GDPR art. 20) and to erasure (art. 17), kept in the audit trail.

Erasure deletes the patient's account and everything about them — programs, sets, check-ins,
VISA-A, notes, flags, reminders, messages and time entries, notifications about them — and the field-by-field history
django-auditlog kept of those rows (it holds their values). The AuditEvent trail stays: it holds
ids only, and it gains the erasure itself.
"""

from __future__ import annotations

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from exercises.models import Program, ProgramPause
from notifications.models import Flag
from patients.audit import audit_record
from patients.models import CheckIn, ClinicalNote, Patient, User, VisaA


def _history_of(patient: Patient) -> list[tuple[type, list[int]]]:
    return [
        (Patient, [patient.pk]),
        (User, [patient.user_id]),
        (Program, list(patient.programs.values_list("id", flat=True))),
        (ProgramPause, list(ProgramPause.objects.filter(program__patient=patient).values_list("id", flat=True))),
        (CheckIn, list(patient.checkins.values_list("id", flat=True))),
        (VisaA, list(patient.visa_a.values_list("id", flat=True))),
        (ClinicalNote, list(patient.clinical_notes.values_list("id", flat=True))),
        (Flag, list(Flag.objects.filter(patient=patient).values_list("id", flat=True))),
    ]


@transaction.atomic
def patient_erase(*, patient: Patient, by: User) -> dict[str, int]:
    """Erase ``patient``; returns what was deleted, by model. The caller exports first if the patient asked."""
    audit_record(user=by, patient_ids=[patient.pk], action="delete", what="erased on request (GDPR art. 17)")
    history = 0
    for model, ids in _history_of(patient):
        if ids:
            kind = ContentType.objects.get_for_model(model)
            history += LogEntry.objects.filter(content_type=kind, object_id__in=ids).delete()[0]
    with disable_auditlog():  # no "deleted" history rows that would carry the values again
        _, deleted = patient.user.delete()  # the patient and every row of theirs cascade
    return {"auditlog history": history, **deleted}
