"""Writes for people: create patients and clinicians, record check-ins and VISA-A."""

import datetime as dt

from django.db import transaction

from .models import CheckIn, Patient, Role, User, VisaA
from .signals import checkin_recorded, patient_days_changed
from .visa_a import score


@transaction.atomic
def patient_create(
    *,
    username: str,
    password: str,
    timezone: str,
    side: str,
    tendinopathy: str,
    physio: User,
    physician: User,
) -> Patient:
    user = User.objects.create_user(username=username, password=password, role=Role.PATIENT)
    return Patient.objects.create(
        user=user, timezone=timezone, side=side, tendinopathy=tendinopathy, physio=physio, physician=physician
    )


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


def clinician_create(*, username: str, role: str, password: str) -> User:
    user = User(username=username, role=role, is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
    user.set_password(password)
    user.save()
    return user


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
