"""Scope: which patients a user may see (docs/api.md §2). Every view starts here.

Staff see only the patients of the clinics they belong to (a membership), and within them their role's share;
the install's superusers who belong to no clinic see every clinic.

An object outside the scope answers 404, never revealing that it exists; an
existing one is recorded as a refused attempt in the audit trail.
"""

from django.db.models import Exists, OuterRef, QuerySet
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from core.permissions import ADMIN, PATIENT, PHYSICIAN, PHYSIO, role_of

from .audit import audit_refused
from .clinics import clinics_for_user
from .models import Clinic, Membership, Patient, User

UNKNOWN_CLINIC = "Unknown clinic."  # the same words for a clinic outside one's own: never reveal it exists


def patients_for_user(user: User) -> QuerySet[Patient]:
    """Patients in ``user``'s scope: self, caseload (physio), own patients (physician), all (admin)."""
    patients = Patient.objects.select_related("user", "clinic")
    role = role_of(user)
    if role == PATIENT:
        return patients.filter(user=user)
    if role not in (ADMIN, PHYSIO, PHYSICIAN):
        return patients.none()  # a clinic admin manages clinicians and settings, not patients
    member = Membership.objects.filter(user=user)
    in_clinics = Exists(member.filter(clinic=OuterRef("clinic_id")))
    if user.is_superuser:  # one who belongs to no clinic runs the whole install
        in_clinics |= ~Exists(member)
    patients = patients.filter(in_clinics)
    if role == PHYSIO:
        return patients.filter(physio=user)
    if role == PHYSICIAN:
        return patients.filter(physician=user)
    return patients


def patient_of(request) -> Patient:
    """The requesting patient's own record (403 for other roles)."""
    if role_of(request.user) != PATIENT:
        raise PermissionDenied("Only patients may do this.")
    patient = getattr(request.user, "patient", None)  # joined to the user by JWT sign-in; else one query
    if patient is None:
        raise PermissionDenied("This account has no patient record.")
    return patient


def scoped_patient(request, patient_id) -> Patient:
    """A patient in the requester's scope, else 404 (never reveal it exists; an existing one is audited refused)."""
    try:
        return patients_for_user(request.user).get(pk=int(patient_id))
    except (Patient.DoesNotExist, ValueError, TypeError) as exc:
        if str(patient_id).isascii() and str(patient_id).isdigit() and Patient.objects.filter(pk=patient_id).exists():
            audit_refused(request, int(patient_id))
        raise NotFound("No such patient.") from exc


def clinic_for_new_patient(*, user: User, clinic: Clinic | None, physio: User, physician: User) -> Clinic:
    """The clinic a new patient joins: the one named (it must be one of the creator's), else the creator's only
    one. The physio and the physician must work there (else 400)."""
    mine = clinics_for_user(user)
    if clinic is None:
        options = list(mine.order_by("id")[:2])
        if len(options) != 1:
            why = "You belong to several clinics: name the patient's clinic." if options else "You belong to no clinic."
            raise ValidationError({"clinic": [why]})
        clinic = options[0]
    elif not mine.filter(pk=clinic.pk).exists():
        raise ValidationError({"clinic": [UNKNOWN_CLINIC]})
    for field, person in (("physio", physio), ("physician", physician)):
        if not Membership.objects.filter(user=person, clinic=clinic).exists():
            # the words of an unknown id: another clinic's clinicians are not revealed either
            raise ValidationError({field: [f'Invalid pk "{person.pk}" - object does not exist.']})
    return clinic
