"""Clinics: which clinic a user works in, and each clinic's settings (docs/api.md §2, docs/clinical.md).

A clinic may override the install's clinical thresholds and reminder defaults (``Clinic.settings``); the install's
Django setting of the same name is the default. Every rule that judges a patient reads its threshold through
:func:`clinic_setting`, the one place the override is resolved.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from core.roles import Role, role_of

from .models import Clinic, Patient, User

DEFAULT_SLUG = "main"


@dataclass(frozen=True)
class Overridable:
    kind: type | str  # int, float, bool, list (of "HH:MM" times), "time", "weekdays", "texts" or "choice"
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


# The thresholds a clinic may set for its patients, with the range a value must keep (docs/clinical.md).
OVERRIDABLE: dict[str, Overridable] = {
    "PAIN_ABOVE": Overridable(int, 2, 9),
    "PAIN_CONSECUTIVE_SESSIONS": Overridable(int, 1, 10),
    "MORNING_PAIN_WEEKLY_RISE": Overridable(float, 0.5, 10),
    "NON_ADHERENCE_7D_BELOW": Overridable(float, 0, 1),
    "NON_ADHERENCE_EMPTY_DAYS": Overridable(int, 1, 14),
    "ESCALATE_14D_BELOW": Overridable(float, 0, 1),
    "HSR_MIN_SESSIONS_PER_WEEK": Overridable(int, 1, 3),
    "ADHERENT_PROGRAM_AT_LEAST": Overridable(float, 0, 1),
    "VISA_A_MIN_GAIN": Overridable(int, 1, 50),
    "VISA_A_REVIEW_BELOW": Overridable(int, 1, 100),
    "CLINICAL_REVIEW_STIFFNESS_ABOVE": Overridable(int, 5, 240),
    "CLINICAL_REVIEW_CHECKINS": Overridable(int, 1, 7),
    "PROGRESSION_PAIN_MAX": Overridable(int, 0, 5),
    "PROGRESSION_SESSIONS": Overridable(int, 1, 10),
    "PROGRESSION_ADD_KG": Overridable(float, 0.5, 20),
    "REMINDER_TIMES_ALFREDSON": Overridable(list),
    "REMINDER_TIMES_HSR": Overridable(list),
    # Staff sign-in (core.mfa): a second factor required, password sign-in allowed (off: SSO only).
    "STAFF_MFA_REQUIRED": Overridable(bool),
    "STAFF_LOCAL_PASSWORDS": Overridable(bool),
    # Messaging and RTM (messaging.clinic): opening hours, reply time, quick replies, the billing report.
    "CLINIC_OPEN_WEEKDAYS": Overridable("weekdays"),
    "CLINIC_OPENS_AT": Overridable("time"),
    "CLINIC_CLOSES_AT": Overridable("time"),
    "MESSAGE_REPLY_WITHIN_HOURS": Overridable(int, 1, 168),
    "MESSAGE_QUICK_REPLIES": Overridable("texts"),
    "RTM_ENABLED": Overridable(bool),
    "RTM_DATA_DAY": Overridable("choice", choices=("activity", "access")),
}


def clinic_setting(clinic: Clinic | None, name: str):
    """The value of setting ``name`` for ``clinic``: its override, else the install's setting (``clinic`` None:
    the install's). Only the names in ``OVERRIDABLE`` may be overridden."""
    if name not in OVERRIDABLE:
        raise KeyError(f"{name} is not a per-clinic setting")
    if clinic is not None and name in (clinic.settings or {}):
        return clinic.settings[name]
    return getattr(settings, name)


def patient_setting(patient: Patient | None, name: str):
    """``clinic_setting`` for the patient's clinic (joined: ``Patient.clinic`` is usually select_related)."""
    return clinic_setting(patient.clinic if patient is not None else None, name)


def setting_errors(values) -> dict[str, str]:
    """Why a clinic's settings overrides are not acceptable (``{name: message}``; empty when they are)."""
    if not isinstance(values, dict):
        return {"settings": "An object of setting names and values."}
    errors: dict[str, str] = {}
    for name, value in values.items():
        spec = OVERRIDABLE.get(name)
        if spec is None:
            errors[name] = f"Not a per-clinic setting; one of {', '.join(sorted(OVERRIDABLE))}."
        elif spec.kind is bool:
            if not isinstance(value, bool):
                errors[name] = "true or false."
        elif spec.kind == "time":
            if not _is_time(value):
                errors[name] = "A time, HH:MM."
        elif spec.kind == "weekdays":
            if not isinstance(value, list) or not all(type(v) is int and 0 <= v <= 6 for v in value):
                errors[name] = "A list of weekdays, 0 (Monday) to 6 (Sunday)."
        elif spec.kind == "texts":
            if (
                not isinstance(value, list)
                or len(value) > 10
                or not all(isinstance(v, str) and 0 < len(v.strip()) <= 200 for v in value)
            ):
                errors[name] = "A list of up to 10 texts of 1 to 200 characters."
        elif spec.kind == "choice":
            if value not in spec.choices:
                errors[name] = f"One of {', '.join(spec.choices)}."
        elif spec.kind is list:
            if not isinstance(value, list) or not value or len(value) > 6 or not all(_is_time(v) for v in value):
                errors[name] = "A list of 1 to 6 times, HH:MM."
        elif (
            isinstance(value, bool) or not isinstance(value, int | float) or (spec.kind is int and value != int(value))
        ):
            errors[name] = f"A{'n integer' if spec.kind is int else ' number'}."
        elif not spec.low <= value <= spec.high:
            errors[name] = f"Between {spec.low:g} and {spec.high:g}."
    return errors


def _is_time(value) -> bool:
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        return False
    hours, minutes = value[:2], value[3:]
    return hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60


def default_clinic() -> Clinic:
    """Where a row goes that names no clinic: the default clinic (slug ``main``, as the migration made it),
    else the install's first, else a new default clinic."""
    clinic = Clinic.objects.filter(slug=DEFAULT_SLUG).first() or Clinic.objects.order_by("id").first()
    if clinic is None:
        clinic, _ = Clinic.objects.get_or_create(slug=DEFAULT_SLUG, defaults={"name": "Rehab Tracker clinic"})
    return clinic


def is_install_admin(user: User) -> bool:
    """A superuser who belongs to no clinic runs the whole install (sees every clinic)."""
    return bool(user.is_superuser) and not user.memberships.exists()


def clinics_for_user(user: User) -> QuerySet[Clinic]:
    """The clinics ``user`` belongs to: a patient's own, a staff member's memberships, every clinic for the
    install's superusers who belong to none."""
    role = role_of(user)
    if role is None:
        return Clinic.objects.none()
    if role == Role.PATIENT:
        return Clinic.objects.filter(patients__user=user)
    if user.is_superuser and not user.memberships.exists():
        return Clinic.objects.all()
    return Clinic.objects.filter(memberships__user=user)


def clinics_managed_by(user: User) -> QuerySet[Clinic]:
    """The clinics whose settings and clinicians ``user`` manages: an admin's, a clinic admin's (none else)."""
    if role_of(user) not in (Role.ADMIN, Role.CLINIC_ADMIN):
        return Clinic.objects.none()
    return clinics_for_user(user)


def clinic_of_user(user: User) -> Clinic | None:
    """The one clinic whose name and contact the user's screens show (a patient's own; staff: the first)."""
    if role_of(user) == Role.PATIENT:
        patient = getattr(user, "patient", None)
        return patient.clinic if patient is not None else None
    return clinics_for_user(user).order_by("id").first()


def public_url(clinic: Clinic | None) -> str:
    """Where links to the app point for this clinic's users (invites, e-mails): its address, else APP_URL."""
    return ((clinic.public_url if clinic is not None else "") or settings.APP_URL).rstrip("/")


def link_base(clinic: Clinic | None) -> str:
    """Where an invitation or a password-reset link opens the app: the clinic's public address, else
    ``PUBLIC_BASE_URL`` (never the address the request happened to come to)."""
    return ((clinic.public_url if clinic is not None else "") or settings.PUBLIC_BASE_URL).rstrip("/")


def branding(clinic: Clinic | None) -> dict | None:
    """What the app and e-mails show of a clinic."""
    if clinic is None:
        return None
    return {
        "id": clinic.id,
        "name": clinic.name,
        "slug": clinic.slug,
        "logo_url": clinic.logo_url,
        "colour": clinic.colour,
        "public_url": public_url(clinic),
        "opening_hours": clinic.opening_hours,
        "contact_phone": clinic.contact_phone,
        "red_flag_contact": clinic.red_flag_contact,
    }
