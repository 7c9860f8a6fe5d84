"""Writes for programs, set logs and the files of demonstrations."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.localtime import local_today
from patients.models import Patient, User

from .models import (
    CURRENT_STATUSES,
    AfterCare,
    DeletedSetLog,
    Demonstration,
    NextStep,
    PauseReason,
    Program,
    ProgramChange,
    ProgramPause,
    ProgramStatus,
    RunLog,
    RunningGate,
    SetLog,
)
from .partitions import stored_client_ids
from .protocols import PROGRAM_WEEKS, ProtocolSlug
from .running import progress
from .summaries import invalidate

LOG_FIELDS = ("date", "exercise", "reps", "load_kg", "pain", "session", "side")


class ProgramChangeError(Exception):
    """A change the program's state does not allow (a 400 with this message)."""


def program_create(
    *,
    patient: Patient,
    protocol: str,
    start_date: dt.date,
    created_by: User,
    training_weekdays: list[int] | None = None,
    loads: dict[str, float] | None = None,
    override_reason: str = "",
) -> Program:
    try:
        with transaction.atomic():
            return Program.objects.create(
                patient=patient,
                protocol=protocol,
                start_date=start_date,
                training_weekdays=sorted(training_weekdays or []),
                loads=loads or {},
                override_reason=override_reason,
                created_by=created_by,
            )
    except IntegrityError as exc:  # a racing create: the constraint keeps one current program
        raise ProgramChangeError("This patient already has an active program.") from exc


VARIANTS = {ProtocolSlug.ALFREDSON, ProtocolSlug.ALFREDSON_INSERTIONAL}


@transaction.atomic
def program_update(
    *,
    program: Program,
    changed_by: User | None = None,
    status: str | None = None,
    protocol: str | None = None,
    override_reason: str | None = None,
    training_weekdays: list[int] | None = None,
    loads: dict[str, float] | None = None,
    pause_reason: str = PauseReason.CLINICIAN,
    releasing_red_flag: bool = False,
) -> Program:
    """Apply a clinician's adjustments; each one is recorded as a ProgramChange (who, when, from, to).

    A program held by a red flag resumes only through the red flag's resolution (``releasing_red_flag``).
    """
    program = Program.objects.select_for_update(no_key=True).get(pk=program.pk)
    if program.status not in CURRENT_STATUSES:
        raise ProgramChangeError(f"This program is {program.status}; it can no longer be changed.")
    if status == ProgramStatus.ACTIVE and not releasing_red_flag and _held_by_red_flag(program):
        raise ProgramChangeError(
            "A red flag holds this program: it resumes only when a clinician resolves the red flag with the "
            "outcome resume."
        )
    changes: list[ProgramChange] = []

    def record(field: str, old, new) -> None:
        if old != new:
            changes.append(
                ProgramChange(program=program, field=field, old_value=old, new_value=new, changed_by=changed_by)
            )

    today = max(local_today(program.patient.timezone), program.start_date)
    if status and status != program.status:
        record("status", program.status, status)
        _change_status(program, status, today, pause_reason)
    if protocol and protocol != program.protocol:
        if {protocol, program.protocol} != VARIANTS:
            raise ProgramChangeError("Only the mid-portion and insertional Alfredson variants can be switched.")
        record("protocol", program.protocol, protocol)
        program.protocol = protocol
        if override_reason:
            record("override_reason", program.override_reason or None, override_reason)
            program.override_reason = override_reason
    if training_weekdays is not None:
        record("training_weekdays", program.training_weekdays or None, sorted(training_weekdays))
        program.training_weekdays = sorted(training_weekdays)
    for exercise, kg in (loads or {}).items():
        record(f"load:{exercise}", program.loads.get(exercise), kg)
    if loads:
        program.loads = {**program.loads, **loads}
    program.save()
    ProgramChange.objects.bulk_create(changes)
    invalidate([program.id])
    return program


def _change_status(program: Program, status: str, today: dt.date, pause_reason: str) -> None:
    """Resuming or stopping ends the open pause yesterday and moves the end date by the days paused (§7)."""
    open_pause = program.pauses.filter(end_date__isnull=True).first()
    if open_pause:
        if open_pause.start_date >= today:
            open_pause.delete()
        else:
            open_pause.end_date = today - dt.timedelta(days=1)
            open_pause.save(update_fields=["end_date"])
            program.end_date += dt.timedelta(days=open_pause.length)
    if status == ProgramStatus.PAUSED:
        ProgramPause.objects.create(program=program, start_date=today, reason=pause_reason)
    elif status == ProgramStatus.STOPPED:
        program.stopped_on = today
    program.status = status


def _held_by_red_flag(program: Program) -> bool:
    pause = program.pauses.filter(end_date__isnull=True).first()
    return pause is not None and pause.reason == PauseReason.RED_FLAG


@transaction.atomic
def program_hold(*, program: Program) -> bool:
    """A red flag stops the exercises: pause an active program, and one a clinician paused is held too (its
    pause ends yesterday and the red flag's begins today), so that only the red flag's resolution lifts it.
    True if it was held now."""
    program = Program.objects.select_for_update(no_key=True).get(pk=program.pk)
    if program.status == ProgramStatus.ACTIVE:
        program_update(program=program, status=ProgramStatus.PAUSED, pause_reason=PauseReason.RED_FLAG)
        return True
    if program.status != ProgramStatus.PAUSED or _held_by_red_flag(program):
        return False
    today = max(local_today(program.patient.timezone), program.start_date)
    _change_status(program, ProgramStatus.PAUSED, today, PauseReason.RED_FLAG)
    program.save()
    invalidate([program.id])
    return True


@transaction.atomic
def program_release(*, program: Program, status: str, changed_by: User) -> Program:
    """A red flag resolved: the program follows its outcome (active, paused by the clinician, or stopped)."""
    program = Program.objects.select_for_update(no_key=True).get(pk=program.pk)
    if program.status not in CURRENT_STATUSES:
        return program
    if status == ProgramStatus.PAUSED:
        if _held_by_red_flag(program):  # kept paused: the clinician's pause from today, theirs to lift
            today = max(local_today(program.patient.timezone), program.start_date)
            _change_status(program, ProgramStatus.PAUSED, today, PauseReason.CLINICIAN)
            program.save()
            invalidate([program.id])
        if program.status == ProgramStatus.PAUSED:
            return program
    return program_update(program=program, changed_by=changed_by, status=status, releasing_red_flag=True)


def program_complete_ended(*, programs: list[Program], todays: dict[int, dt.date]) -> int:
    """Mark active programs whose end date has passed as completed; a paused program waits for its clinician."""
    ended = [p for p in programs if p.status == ProgramStatus.ACTIVE and todays[p.id] > p.end_date]
    if not ended:
        return 0
    Program.objects.filter(id__in=[p.id for p in ended], status=ProgramStatus.ACTIVE).update(
        status=ProgramStatus.COMPLETED
    )
    invalidate([p.id for p in ended])
    for p in ended:
        p.status = ProgramStatus.COMPLETED
    return len(ended)


def _changes_finished_days(data: dict) -> bool:
    """Sets done today change no kept figure (only finished days count); unknown "today": assume they do."""
    return "today" not in data or data["date"] < data["today"]


@dataclass
class LogOutcome:
    status: str  # created | duplicate | conflict
    log: SetLog | None


def _same_body(log: SetLog, patient: Patient, data: dict) -> bool:
    if log.patient_id != patient.id:
        return False
    return all(_norm(getattr(log, f)) == _norm(data.get(f)) for f in LOG_FIELDS)


def _norm(value):
    if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        return Decimal(value).quantize(Decimal("0.01"))
    return value or None


def _new_log(patient: Patient, data: dict) -> SetLog:
    program = data["program"]
    return SetLog(
        client_id=data["client_id"],
        patient=patient,
        program=program,
        week=program.week_on(data["date"]) or PROGRAM_WEEKS,  # after the end: a maintenance set, kept as week 12
        **{f: data.get(f) for f in LOG_FIELDS if f != "load_kg"},
        load_kg=data.get("load_kg") or Decimal(0),
    )


def _outcome_for_existing(log: SetLog, patient: Patient, data: dict) -> LogOutcome:
    if _same_body(log, patient, data):
        return LogOutcome("duplicate", log)
    return LogOutcome("conflict", None)


def setlog_record(*, patient: Patient, data: dict) -> LogOutcome:
    """Store one validated set log; the unique client id makes a retry a no-op.

    A new set is one INSERT, in a transaction only where it needs one (a set for a finished day also expires
    the kept adherence figure; a caller's transaction must survive a failed INSERT). A retry's INSERT fails on
    the client id, and the stored set answers it.
    """
    log = _new_log(patient, data)
    expires = _changes_finished_days(data)
    try:
        with transaction.atomic() if expires or transaction.get_connection().in_atomic_block else nullcontext():
            log.save()
            if expires:
                invalidate([log.program_id])
    except IntegrityError:  # this client id is stored already (a retry, or a concurrent request first)
        existing = SetLog.objects.filter(client_id=data["client_id"]).first()
        if existing is None:
            raise
        return _outcome_for_existing(existing, patient, data)
    return LogOutcome("created", log)


def setlog_record_batch(*, patient: Patient, items: list[dict]) -> list[LogOutcome]:
    """Store validated set logs in bulk; one outcome per item, in order. Three queries, a fourth when some were
    stored already (and a savepoint inside a caller's transaction).

    The client ids stored already answer as duplicates (or conflicts); the rest are one INSERT. When a
    concurrent request stores one of them first, the INSERT fails on its client id (the unique index, or on a
    partitioned table the client-id lookup, exercises/partitions.py), nothing of it is kept, and it is tried
    again without the ones now stored, which answer as the stored sets.
    """
    outcomes: list[LogOutcome | None] = [None] * len(items)
    first_of: dict = {}
    for index, data in enumerate(items):
        first_of.setdefault(data["client_id"], index)
    known = stored_client_ids(list(first_of))  # on PostgreSQL: usually none, and one probe an id to say so
    candidates = list(first_of) if known is None else list(known)
    existing = {log.client_id: log for log in SetLog.objects.filter(client_id__in=candidates)} if candidates else {}
    fresh = [index for cid, index in first_of.items() if cid not in existing]
    created: list[SetLog] = []
    while fresh:
        try:
            with transaction.atomic():
                created = SetLog.objects.bulk_create([_new_log(patient, items[i]) for i in fresh])
            break
        except IntegrityError:
            taken = {
                log.client_id: log
                for log in SetLog.objects.filter(client_id__in=[items[i]["client_id"] for i in fresh])
            }
            if not taken:
                raise
            existing.update(taken)
            fresh = [i for i in fresh if items[i]["client_id"] not in taken]
    for cid, log in existing.items():
        outcomes[first_of[cid]] = _outcome_for_existing(log, patient, items[first_of[cid]])
    invalidate({items[i]["program"].id for i in fresh if _changes_finished_days(items[i])})
    for index, log in zip(fresh, created, strict=True):
        outcomes[index] = LogOutcome("created", log)
    for index, data in enumerate(items):  # repeats of a client id inside this batch
        first = first_of[data["client_id"]]
        if index != first:
            held = outcomes[first].log
            same = held is not None and _same_body(held, patient, data)
            outcomes[index] = LogOutcome("duplicate", held) if same else LogOutcome("conflict", None)
    return outcomes  # type: ignore[return-value]


EDITABLE_FIELDS = ("reps", "load_kg", "pain")


class SetLogLocked(Exception):
    """The set is older than the days a patient may still mend (a 400 with this message)."""


def _check_mendable(log: SetLog, today: dt.date) -> None:
    if log.date < today - dt.timedelta(days=1):
        raise SetLogLocked(
            f"This set is from {log.date}: only sets of today and yesterday can be changed or deleted. "
            "Ask your physio to correct an older one."
        )


@transaction.atomic
def setlog_edit(*, log: SetLog, changes: dict, today: dt.date) -> list[str] | None:
    """Mend the reps, load or pain of a set of today or yesterday; returns the fields that changed (none for
    a repeat of the same request). None when it was deleted meanwhile."""
    log = SetLog.objects.select_for_update().filter(pk=log.pk).first()
    if log is None:
        return None
    _check_mendable(log, today)
    changed = [f for f in EDITABLE_FIELDS if f in changes and _norm(getattr(log, f)) != _norm(changes[f])]
    if not changed:
        return []
    for field in changed:
        setattr(log, field, changes[field])
    log.save(update_fields=changed)
    if log.date < today:
        invalidate([log.program_id])
    return changed


@transaction.atomic
def setlog_delete(*, log: SetLog, today: dt.date) -> bool:
    """Delete a set of today or yesterday, keeping a tombstone (its id) so that a repeat answers the same; a
    concurrent repeat finds it gone and does nothing. False when it was gone already."""
    log = SetLog.objects.select_for_update().filter(pk=log.pk).first()
    if log is None:
        return False
    _check_mendable(log, today)
    DeletedSetLog.objects.create(log_id=log.pk, patient_id=log.patient_id)
    log.delete()
    if log.date < today:
        invalidate([log.program_id])
    return True


def setlog_was_deleted(*, log_id: int, patient: Patient) -> bool:
    return DeletedSetLog.objects.filter(log_id=log_id, patient=patient).exists()


def aftercare_choose(
    *, program: Program, state: str, chosen_by: User, today: dt.date, referral: str = "", referral_note: str = ""
) -> AfterCare:
    """Set what follows the 12 weeks (docs/clinical.md §11); choosing again replaces the choice (its gate and
    run logs stay with the row). Maintenance lasts MAINTENANCE_WEEKS from the day after the end (or today)."""
    if state != NextStep.REFERRED:
        referral, referral_note = "", ""
    starts_on = max(today, program.end_date + dt.timedelta(days=1))
    ends_on = (
        starts_on + dt.timedelta(days=7 * settings.MAINTENANCE_WEEKS - 1) if state == NextStep.MAINTENANCE else None
    )
    aftercare, _ = AfterCare.objects.update_or_create(
        program=program,
        defaults={"state": state, "starts_on": starts_on, "ends_on": ends_on, "referral": referral,
                  "referral_note": referral_note, "chosen_by": chosen_by},
    )  # fmt: skip
    return aftercare


GATE_ITEMS = ("pain_ok", "heel_raise_ok", "hopping_ok", "patient_ready")


def running_gate_save(*, aftercare: AfterCare, by: User, items: dict, sign: bool) -> RunningGate:
    """Save the return-to-running checklist; ``sign`` signs it (every item must be met) with who and when.

    Editing a signed checklist takes the signature away until it is signed again."""
    if aftercare.state != NextStep.RETURN_TO_RUNNING:
        raise ProgramChangeError("The checklist is for a patient whose next step is return to running.")
    fields = {k: items.get(k, False) for k in GATE_ITEMS}
    fields |= {k: items.get(k) for k in ("heel_raise_affected", "heel_raise_other")}
    fields["note"] = items.get("note", "")
    if sign and not all(fields[k] for k in GATE_ITEMS):
        raise ProgramChangeError("Every item of the checklist must be met before it is signed.")
    fields |= {"signed_by": by if sign else None, "signed_at": timezone.now() if sign else None}
    gate, _ = RunningGate.objects.update_or_create(aftercare=aftercare, defaults=fields)
    return gate


def running_started(aftercare: AfterCare | None) -> bool:
    gate = getattr(aftercare, "gate", None) if aftercare else None
    return gate is not None and gate.signed_at is not None


@transaction.atomic
def runlog_record(*, patient: Patient, aftercare: AfterCare, data: dict) -> tuple[RunLog, bool]:
    """Record a walk–run session at the step the progression has reached; the same ``client_id`` again answers
    the stored session (created False). Only after the gate is signed."""
    held = RunLog.objects.filter(client_id=data["client_id"]).first()
    if held is not None:
        if held.patient_id != patient.id:
            raise ProgramChangeError("This client_id belongs to another record.")
        return held, False
    AfterCare.objects.select_for_update(no_key=True).get(pk=aftercare.pk)  # one step per session, in order
    if aftercare.state != NextStep.RETURN_TO_RUNNING or not running_started(aftercare):
        raise ProgramChangeError("Running starts once your physio has signed the return-to-running checklist.")
    step = progress(list(aftercare.run_logs.all())).step
    try:
        with transaction.atomic():
            return RunLog.objects.create(aftercare=aftercare, patient=patient, step=step, **data), True
    except IntegrityError:  # the same client_id from a racing resend: the stored one answers
        held = RunLog.objects.get(client_id=data["client_id"])
        if held.patient_id != patient.id:
            raise ProgramChangeError("This client_id belongs to another record.") from None
        return held, False


def runlog_morning(*, log: RunLog, pain_next_morning: int) -> RunLog:
    """Add (or mend) the next morning's pain of a session."""
    log.pain_next_morning = pain_next_morning
    log.save(update_fields=["pain_next_morning"])
    return log


def demonstration_files_forget(*, names: list[str]) -> None:
    """Remove the stored files of deleted or replaced demonstrations, once the change is committed (a rolled
    back change keeps its file). A name another demonstration still uses stays."""
    names = [name for name in names if name]

    def remove() -> None:
        still_used = set(Demonstration.objects.filter(file__in=names).values_list("file", flat=True))
        for name in set(names) - still_used:
            default_storage.delete(name)

    if names:
        transaction.on_commit(remove)
