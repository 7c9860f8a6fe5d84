"""Writes for people: create patients and clinicians, record check-ins and VISA-A."""

import datetime as dt
import secrets
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils.timezone import now as timezone_now

from .clinics import default_clinic
from .models import RECORD_NUMBER_UNIQUE, AccessDay, CheckIn, Clinic, Membership, Patient, Role, User, VisaA
from .signals import checkin_recorded, patient_days_changed
from .visa_a import score

USERNAME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: readable if it is ever read aloud


def generated_username() -> str:
    """An internal sign-in name (``p-`` and 10 random letters and digits): nobody types it, and it says nothing
    about the person (patients sign in with their e-mail address or mobile number)."""
    while True:
        name = "p-" + "".join(secrets.choice(USERNAME_ALPHABET) for _ in range(10))
        if not User.objects.filter(username__iexact=name).exists():
            return name


class IdentityConflict(Exception):
    """An identity another patient already has (a 400 with ``field`` and this message)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


RECORD_NUMBER_TAKEN = "Another patient at this clinic has this record number."


def _check_record_number(clinic_id: int, record_number: str, *, patient_id: int | None = None) -> None:
    if record_number and (
        Patient.objects.filter(clinic_id=clinic_id, record_number=record_number).exclude(pk=patient_id).exists()
    ):
        raise IdentityConflict("record_number", RECORD_NUMBER_TAKEN)


@contextmanager
def _record_number_unique():
    """A savepoint whose refusal by the record-number constraint (two requests racing past the check) is the
    same ``IdentityConflict`` as the check's; any other integrity error goes on as it was."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        if constraint == RECORD_NUMBER_UNIQUE if constraint else "record_number" in str(exc):
            raise IdentityConflict("record_number", RECORD_NUMBER_TAKEN) from exc
        raise


@transaction.atomic
def patient_create(
    *,
    timezone: str,
    side: str,
    tendinopathy: str,
    physio: User,
    physician: User,
    username: str | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    birth_date: dt.date | None = None,
    phone: str = "",
    record_number: str = "",
    clinic: Clinic | None = None,
) -> Patient:
    """A patient and their account, in ``clinic`` (default: the physio's first clinic, else the install's
    first). Without ``password`` the account cannot sign in until the patient sets one through an
    invitation (``patients.invitations``); without ``username`` one is generated."""
    if clinic is None:
        clinic = physio.clinics.order_by("id").first() or default_clinic()
    _check_record_number(clinic.id, record_number)
    user = User.objects.create_user(
        username=username or generated_username(),
        password=password,  # None: an unusable password
        role=Role.PATIENT,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    with _record_number_unique():
        return Patient.objects.create(
            user=user,
            clinic=clinic,
            timezone=timezone,
            side=side,
            tendinopathy=tendinopathy,
            physio=physio,
            physician=physician,
            birth_date=birth_date,
            phone=phone,
            record_number=record_number,
        )


IDENTITY_USER_FIELDS = ("first_name", "last_name", "email")
IDENTITY_PATIENT_FIELDS = ("birth_date", "phone", "record_number")


@transaction.atomic
def patient_identity_update(*, patient: Patient, **changes) -> Patient:
    """Correct who the patient is (a misspelt name, a new e-mail address or number): only the fields given.
    An invitation already sent keeps working; send a new one to reach a new address."""
    if "record_number" in changes:
        _check_record_number(patient.clinic_id, changes["record_number"], patient_id=patient.pk)
    user_fields = [name for name in IDENTITY_USER_FIELDS if name in changes]
    patient_fields = [name for name in IDENTITY_PATIENT_FIELDS if name in changes]
    for name in user_fields:
        setattr(patient.user, name, changes[name])
    for name in patient_fields:
        setattr(patient, name, changes[name])
    if user_fields:
        patient.user.save(update_fields=user_fields)
    if patient_fields:
        with _record_number_unique():  # inside this function's transaction: the names roll back with it
            patient.save(update_fields=patient_fields)
    return patient


def patient_onboarding_seen(*, patient: Patient) -> Patient:
    """The introduction was finished or skipped: kept from the first time (a second phone or a retry keeps it)."""
    Patient.objects.filter(pk=patient.pk, onboarded_at__isnull=True).update(onboarded_at=timezone_now())
    patient.refresh_from_db(fields=["onboarded_at"])
    return patient


@transaction.atomic
def patient_settings_update(*, patient: Patient, reminders_enabled: bool | None = None, timezone: str | None = None):
    """A patient's own settings. A new time zone moves their calendar: what depends on it expires with it."""
    fields = []
    if reminders_enabled is not None:
        patient.reminders_enabled = reminders_enabled
        fields.append("reminders_enabled")
    moved = timezone is not None and timezone != patient.timezone
    if timezone is not None:
        patient.timezone = timezone
        fields.append("timezone")
    if fields:
        patient.save(update_fields=fields)
    if moved:
        patient_days_changed.send(sender=Patient, patient=patient)
    return patient


class SideChangeError(Exception):
    """A side change the history does not allow (a 400 with ``field`` and this message)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


SIDE_BACK_DAYS = 28


@transaction.atomic
def patient_side_change(*, patient: Patient, side: str, effective_from: dt.date, today: dt.date) -> Patient:
    """The other tendon starts hurting (or one settles): ``side`` from ``effective_from`` on. The days before
    keep the side they had, so their adherence stays what it was."""
    patient = Patient.objects.select_for_update(no_key=True).get(pk=patient.pk)
    if side == patient.side:
        raise SideChangeError("side", f"The affected side is {side} already.")
    if effective_from > today:
        raise SideChangeError("effective_from", "A side change starts today at the latest.")
    if effective_from < today - dt.timedelta(days=SIDE_BACK_DAYS):
        raise SideChangeError("effective_from", f"A side change starts at most {SIDE_BACK_DAYS} days back.")
    last = patient.side_history[-1]["until"] if patient.side_history else None
    if last is not None and effective_from.isoformat() <= last:
        raise SideChangeError(
            "effective_from",
            f"The side changed on {dt.date.fromisoformat(last) + dt.timedelta(days=1)}: start after it.",
        )
    until = effective_from - dt.timedelta(days=1)
    patient.side_history = [*patient.side_history, {"side": patient.side, "until": until.isoformat()}]
    patient.side = side
    patient.save(update_fields=["side", "side_history"])
    patient_days_changed.send(sender=Patient, patient=patient)
    return patient


def user_language_set(*, user: User, language: str) -> User:
    """The language of the server's texts for ``user`` ("" goes back to the request's Accept-Language)."""
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def clinician_create(
    *, username: str, role: str, password: str, clinics: list[Clinic] | None = None, email: str = ""
) -> User:
    """A staff account in ``clinics`` (default: the install's first clinic). An admin is a Django superuser,
    limited to its clinics' rows; a clinic admin is not a superuser (it manages its clinic through the API)."""
    user = User(username=username, role=role, email=email, is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
    user.set_password(password)
    user.save()
    for clinic in [default_clinic()] if clinics is None else clinics:
        membership_add(user=user, clinic=clinic)
    return user


def clinician_update(*, user: User, changes: dict) -> User:
    """A clinician's account turned off or on (``is_active``) or its e-mail changed."""
    fields = [name for name in ("is_active", "email") if name in changes]
    for name in fields:
        setattr(user, name, changes[name])
    if fields:
        user.save(update_fields=fields)
    return user


def membership_add(*, user: User, clinic: Clinic) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, clinic=clinic)
    return membership


CLINIC_FIELDS = ("name", "logo_url", "colour", "public_url", "opening_hours", "contact_phone", "red_flag_contact")


@transaction.atomic
def clinic_update(*, clinic: Clinic, changes: dict) -> Clinic:
    """Change a clinic's name, looks, contact texts and settings overrides (``changes`` validated by the caller;
    ``settings`` replaces the overrides, a ``null`` value removes one)."""
    clinic = Clinic.objects.select_for_update().get(pk=clinic.pk)
    fields = [name for name in CLINIC_FIELDS if name in changes]
    for name in fields:
        setattr(clinic, name, changes[name])
    if "settings" in changes:
        merged = {**clinic.settings, **changes["settings"]}
        clinic.settings = {name: value for name, value in merged.items() if value is not None}
        fields.append("settings")
    if fields:
        clinic.save(update_fields=fields)
    return clinic


def checkin_create(
    *,
    patient: Patient,
    date: dt.date,
    morning_pain: int,
    morning_stiffness_minutes: int,
    red_flags: list[str],
    client_id=None,
) -> CheckIn:
    checkin = CheckIn(
        patient=patient,
        date=date,
        morning_pain=morning_pain,
        morning_stiffness_minutes=morning_stiffness_minutes,
        red_flags=red_flags,
        client_id=client_id,
    )
    return checkin_save(checkin)


@transaction.atomic
def checkin_save(checkin: CheckIn) -> CheckIn:
    """Store a new or edited check-in, however it came (the app, the admin, an import, a command).

    Every path goes through here so that a red-flag answer reaches the physician in the same transaction:
    the notifications app listens to ``checkin_recorded`` (this layer cannot import it). A check-in and its
    red-flag report are stored together or not at all.
    """
    checkin.red_flags = sorted(set(checkin.red_flags or []))
    checkin.save()
    checkin_recorded.send(sender=CheckIn, checkin=checkin)
    return checkin


def visa_a_create(
    *,
    patient: Patient,
    date: dt.date,
    answers: list[int],
    entered_by: User,
    item8_branch: str | None = None,
    client_id=None,
) -> VisaA:
    answers = [int(a) for a in answers]
    return VisaA.objects.create(
        patient=patient,
        date=date,
        answers=answers,
        item8_branch=item8_branch or "",
        score=score(answers),
        entered_by=entered_by,
        client_id=client_id,
    )


def access_day_record(*, patient_id: int, today: dt.date) -> None:
    """The patient opened the app on their local ``today`` (an RTM "access" data day). Idempotent, one INSERT."""
    AccessDay.objects.bulk_create([AccessDay(patient_id=patient_id, date=today)], ignore_conflicts=True)
