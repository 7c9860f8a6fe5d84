"""Scope: which patients a user may see (SPEC §1). Every view starts here."""

from django.db.models import QuerySet

from .models import Patient, Role, User


def patients_for_user(user: User) -> QuerySet[Patient]:
    """Patients in ``user``'s scope: self, caseload (physio), own patients (physician), all (admin)."""
    patients = Patient.objects.select_related("user")
    if not user.is_authenticated:
        return patients.none()
    if user.is_admin_role:
        return patients.all()
    if user.role == Role.PHYSIO:
        return patients.filter(physio=user)
    if user.role == Role.PHYSICIAN:
        return patients.filter(physician=user)
    return patients.filter(user=user)
