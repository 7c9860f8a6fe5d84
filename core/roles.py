"""The roles, in one place: the user model's choices, the permission gates and the scopes all use these."""

from django.db import models


class Role(models.TextChoices):
    PATIENT = "patient"
    PHYSIO = "physio"
    PHYSICIAN = "physician"
    ADMIN = "admin"
    CLINIC_ADMIN = "clinic_admin"  # manages one clinic's clinicians and settings; reads no patient data


CLINICIANS = (Role.PHYSIO, Role.PHYSICIAN, Role.ADMIN)
STAFF = (*CLINICIANS, Role.CLINIC_ADMIN)  # the roles that belong to clinics through a membership


def role_of(user) -> str | None:
    """The user's role; a superuser is an admin whatever the role column says."""
    if not user or not user.is_authenticated:
        return None
    return Role.ADMIN if user.is_superuser else user.role
