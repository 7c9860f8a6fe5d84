"""Reads about people that other apps use: how a patient is named, and who signs in with an identifier."""

from __future__ import annotations

from django.db.models import Q

from .models import Patient, User
from .phone import normalize_phone


def patient_display_name(*, patient: Patient) -> str:
    """The patient's name as the clinic writes it ("Anna Jensen"); their username for older records without
    a name. For screens, exports and the discharge summary; never for a log line."""
    name = f"{patient.user.first_name} {patient.user.last_name}".strip()
    return name or patient.user.username


def patient_identity(*, patient: Patient) -> dict:
    """The patient's identity fields (blank ones as empty strings; the birth date as a date or None)."""
    user = patient.user
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": patient_display_name(patient=patient),
        "birth_date": patient.birth_date,
        "email": user.email,
        "phone": patient.phone,
        "record_number": patient.record_number,
    }


def user_for_sign_in(*, identifier: str) -> User | None:
    """The one user a sign-in name means: their username, else the e-mail address or mobile number of exactly
    one active account (an address two accounts share signs in neither)."""
    if not identifier:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is not None:
        return user
    query = Q(email__iexact=identifier) if "@" in identifier else None
    phone = normalize_phone(identifier)
    if query is None and phone:
        query = Q(patient__phone=phone)
    if query is None:
        return None
    users = list(User.objects.filter(query, is_active=True)[:2])
    return users[0] if len(users) == 1 else None
