"""Flags (concerns about a patient) and the actions on them; the red-flag pathway (docs/clinical.md §8)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from exercises.models import CURRENT_STATUSES, ProgramStatus
from exercises.selectors import current_program
from exercises.services import program_hold, program_release
from patients.models import CheckIn, Patient, User
from patients.red_flags import advice_for, describe

from .deliveries import notify, notify_many
from .models import (
    Flag,
    FlagKind,
    FlagLevel,
    FlagStatus,
    Notification,
    NotificationKind,
    RedFlagOutcome,
    RedFlagReport,
)
from .selectors import decision_text

FLAG_TITLES = {
    FlagKind.NON_ADHERENCE: "Not keeping up with the exercises",
    FlagKind.PAIN: "Pain above the safe limit",
    FlagKind.RED_FLAG: "Red flag reported — act now",
    FlagKind.CLINICAL_REVIEW: "Morning stiffness: clinical review",
    FlagKind.TREATMENT_REVIEW: "Treatment review due",
    FlagKind.MISSING_OUTCOME: "VISA-A outcome missing",
    FlagKind.FOLLOW_UP_DECLINE: "Follow-up VISA-A has fallen",
}


def flag_raise(*, patient: Patient, kind: str, level: str, reason: str) -> tuple[Flag, bool]:
    """Open a flag, or raise the level of the open one; notify recipients of a new flag or level once.

    Returns the flag and whether anything changed.
    """
    with transaction.atomic():
        flag = Flag.objects.open().select_for_update(no_key=True).filter(patient=patient, kind=kind).first()
        if flag is None:
            try:
                with transaction.atomic():
                    flag = Flag.objects.create(patient=patient, kind=kind, level=level, reason=reason)
            except IntegrityError:  # a racing evaluation opened it first
                return Flag.objects.open().get(patient=patient, kind=kind), False
        elif FlagLevel.outranks(level, flag.level):
            flag.level, flag.reason = level, f"{flag.reason}\nEscalated: {reason}"
            flag.save(update_fields=["level", "reason"])
        else:
            return flag, False
        _notify_flag(flag)
    return flag, True


NAME_IN_TITLE = 60  # a title is at most 120 characters whatever the username (150)


def flag_title(kind: str, patient: Patient) -> str:
    name = patient.user.username
    if len(name) > NAME_IN_TITLE:
        name = name[: NAME_IN_TITLE - 1] + "…"
    return f"{FLAG_TITLES[kind]}: {name}"


def flag_notifications(flag: Flag, *, event: str = "") -> list[Notification]:
    """The (unsaved) notifications a flag owes its recipients: the physio, and the physician at that level."""
    patient = flag.patient
    recipients = [patient.physio]
    if flag.level == FlagLevel.PHYSICIAN:
        recipients = [patient.physician, patient.physio]  # the physio stays informed
    return [
        Notification(
            user=user,
            kind=NotificationKind.FLAG,
            title=flag_title(flag.kind, patient),
            body=flag.reason,
            push_text="A patient needs your attention in Rehab Tracker.",
            dedupe_key=f"flag:{flag.id}:{flag.level}:{event}{user.id}",
            patient=patient,
            flag=flag,
            url=f"/patients/{patient.id}/",
        )
        for user in recipients
    ]


def flags_raise_many(raises: list[tuple[Patient, str, str, str]], open_flags: dict[tuple[int, str], Flag]) -> int:
    """``flag_raise`` for many findings in a fixed number of queries (the evaluation's bulk path).

    ``raises`` holds (patient, kind, level, reason), at most one per patient and kind; ``open_flags`` the
    unresolved flags by (patient id, kind). New flags are inserted (a racing insert wins, by the partial
    unique constraint), lower-level open ones raised; each notifies its recipients once (dedupe keys).
    Returns how many flags opened or rose.
    """
    new = [Flag(patient=p, kind=k, level=lv, reason=r) for p, k, lv, r in raises if (p.id, k) not in open_flags]
    rising = []
    for patient, kind, level, reason in raises:
        held = open_flags.get((patient.id, kind))
        if held is not None and FlagLevel.outranks(level, held.level):
            held.level, held.reason = level, f"{held.reason}\nEscalated: {reason}"
            rising.append(held)
    with transaction.atomic():
        Flag.objects.bulk_create(new, ignore_conflicts=True)
        if new:
            patients = {f.patient_id: f.patient for f in new}
            wanted = {(f.patient_id, f.kind) for f in new}
            for flag in Flag.objects.open().filter(patient_id__in=patients, kind__in={k for _, k in wanted}):
                if (flag.patient_id, flag.kind) in wanted:
                    flag.patient = patients[flag.patient_id]
                    open_flags[(flag.patient_id, flag.kind)] = flag
        Flag.objects.bulk_update(rising, ["level", "reason"])
        touched = [open_flags[(f.patient_id, f.kind)] for f in new] + rising
        notify_many([n for flag in touched for n in flag_notifications(flag)])
    return len(touched)


def _notify_flag(flag: Flag, *, event: str = "") -> None:
    """Tell the flag's recipients once per flag, level and ``event`` (a further red-flag check-in)."""
    notify_many(flag_notifications(flag, event=event))


def red_flag_report(*, checkin: CheckIn) -> Flag | None:
    """docs/clinical.md §8.2, whatever the program's state: the physician at once, the physio informed, exercises held.

    A further red-flag check-in while the flag is unresolved adds to its reason and notifies again. Each
    check-in is reported once (a RedFlagReport row), so the request and the evaluation may both call this.
    """
    if not checkin.red_flags:
        return None
    patient = checkin.patient
    reason = f"Check-in of {checkin.date} reports: {describe(checkin.red_flags)}."
    with transaction.atomic():
        if RedFlagReport.objects.filter(checkin=checkin).exists():
            return None
        flag, opened = flag_raise(patient=patient, kind=FlagKind.RED_FLAG, level=FlagLevel.PHYSICIAN, reason=reason)
        repeat = False
        if not opened:  # a red flag is open already: add this check-in and tell the physician again
            flag = Flag.objects.select_for_update(no_key=True).get(pk=flag.pk)
            repeat = _repeats_recent_answers(flag, checkin)
            if not repeat:
                flag.reason = f"{flag.reason}\nFurther: {reason}"
                flag.save(update_fields=["reason"])
                _notify_flag(flag, event=f"checkin{checkin.id}:")
        RedFlagReport.objects.create(flag=flag, checkin=checkin)
        program = current_program(patient)
        if program is not None:
            program_hold(program=program)
        if not repeat:
            _tell_patient_to_stop(flag, checkin)
    return flag


def _repeats_recent_answers(flag: Flag, checkin: CheckIn) -> bool:
    """The same answers sent again soon (a worried patient, a retrying phone): linked to the flag, but no new
    notice and no longer reason. Any answer the flag has not had yet notifies at once, and so does the same
    answer after ``RED_FLAG_REPEAT_MINUTES``."""
    since = timezone.now() - dt.timedelta(minutes=settings.RED_FLAG_REPEAT_MINUTES)
    recent = RedFlagReport.objects.filter(flag=flag, created_at__gte=since).select_related("checkin")
    answered = {a for report in recent for a in report.checkin.red_flags}
    return bool(answered) and set(checkin.red_flags) <= answered


def _tell_patient_to_stop(flag: Flag, checkin: CheckIn) -> None:
    advice = advice_for(checkin.red_flags, flag.patient.clinic)
    notify(
        user=flag.patient.user,
        kind=NotificationKind.INFO,
        title=advice[0].title if advice else "Please stop your exercises",
        body="\n\n".join(a.text for a in advice)
        + "\n\nYour exercises and reminders are on hold until a clinician has looked at this.",
        push_text="Please open Rehab Tracker: important advice about your exercises.",
        dedupe_key=f"red-flag-advice:{checkin.id}",
        patient=flag.patient,
        url="/today",
    )


class FlagActionError(Exception):
    """A flag action that is not allowed now (a 400 with ``field`` and this message)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def flag_act(*, flag: Flag, user: User, action: str, note: str, outcome: str = "", patient_note: str = "") -> Flag:
    """Acknowledge or resolve a flag, recording who, when and the note.

    Resolving needs a note; resolving a red flag also an ``outcome`` that the program follows (docs/clinical.md §8.5),
    and the patient is told the decision and what to do now (with ``patient_note``, the clinician's words to them).
    """
    note, patient_note = note.strip(), patient_note.strip()
    if action == "resolve" and not note:
        raise FlagActionError("note", "Resolving a flag needs a note saying what was decided.")
    if patient_note and (action != "resolve" or flag.kind != FlagKind.RED_FLAG):
        raise FlagActionError("patient_note", "A note for the patient goes with the decision on a red flag.")
    with transaction.atomic():
        flag = Flag.objects.select_for_update(no_key=True).select_related("patient").get(pk=flag.pk)
        now = timezone.now()
        if flag.status == FlagStatus.RESOLVED:
            raise FlagActionError("status", "This flag is already resolved.")
        if action == "acknowledge":
            if flag.status == FlagStatus.ACKNOWLEDGED:
                raise FlagActionError("status", "This flag is already acknowledged.")
            flag.status, flag.acknowledged_by, flag.acknowledged_at = FlagStatus.ACKNOWLEDGED, user, now
        else:
            if flag.kind == FlagKind.RED_FLAG:
                if outcome not in RedFlagOutcome.values:
                    raise FlagActionError("outcome", "Say what the program does now: resume, keep_paused or stop.")
                _program_follows(flag.patient, outcome, user)
                flag.outcome, flag.patient_note = outcome, patient_note
            flag.status, flag.resolved_by, flag.resolved_at = FlagStatus.RESOLVED, user, now
            if not flag.acknowledged_at:
                flag.acknowledged_by, flag.acknowledged_at = user, now
        if note:
            flag.note = f"{flag.note}\n{note}".strip()
        flag.save()
        if flag.status == FlagStatus.RESOLVED and flag.kind == FlagKind.RED_FLAG:
            _tell_patient_the_decision(flag)
    return flag


def _tell_patient_the_decision(flag: Flag) -> None:
    """The decision reaches the patient as a notification, and replaces the advice that put them on hold."""
    title, body = decision_text(flag)
    decision, _ = notify(
        user=flag.patient.user,
        kind=NotificationKind.INFO,
        title=title,
        body=body,
        push_text="Please open Rehab Tracker: your clinician has decided about your exercises.",
        dedupe_key=f"red-flag-decision:{flag.id}",
        patient=flag.patient,
        flag=flag,
        url="/today",
    )
    advice_keys = [f"red-flag-advice:{c}" for c in flag.reports.values_list("checkin_id", flat=True)]
    Notification.objects.filter(user=flag.patient.user, dedupe_key__in=advice_keys, replaced_by=None).update(
        replaced_by=decision
    )


def _program_follows(patient: Patient, outcome: str, user: User) -> None:
    program = current_program(patient)
    if program is None or program.status not in CURRENT_STATUSES:
        return
    status = {
        RedFlagOutcome.RESUME: ProgramStatus.ACTIVE,
        RedFlagOutcome.KEEP_PAUSED: ProgramStatus.PAUSED,
        RedFlagOutcome.STOP: ProgramStatus.STOPPED,
    }[outcome]
    program_release(program=program, status=status, changed_by=user)


def report_red_flags_of(sender, *, checkin: CheckIn, **kwargs) -> None:
    """``patients.signals.checkin_recorded``: in the check-in's transaction, so the two are stored together."""
    red_flag_report(checkin=checkin)
