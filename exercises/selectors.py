"""Reads for programs and logs."""

import datetime as dt
from collections.abc import Iterable
from functools import cache

from django.db.models import Exists, OuterRef, QuerySet, prefetch_related_objects

from patients.models import Patient

from .models import CURRENT_STATUSES, AfterCare, Demonstration, NextStep, Program, ProgramPause


@cache
def program_rows() -> QuerySet[Program]:
    """Programs marked ``ever_paused``: what the readers below start from, unless a caller brings its own
    (``program_rows().annotate(...)``, built once too). Built once: resolving the expressions costs more than
    running the query, and a QuerySet that is only ever filtered is cloned, never run."""
    return Program.objects.annotate(ever_paused=Exists(ProgramPause.objects.filter(program=OuterRef("pk"))))


def programs_for_patients(patient_ids: Iterable[int], rows: QuerySet[Program] | None = None) -> list[Program]:
    """The patients' programs, newest first per patient, with their pauses. One query; a second for the pauses
    when any of these programs was ever paused (few are)."""
    rows = (program_rows() if rows is None else rows).filter(patient_id__in=list(patient_ids))
    return _with_pauses(rows.select_related("patient__clinic").order_by("patient_id", "-start_date", "-id"))


def programs_of(patient: Patient, rows: QuerySet[Program] | None = None) -> list[Program]:
    """One patient's programs, as programs_for_patients, each holding this ``patient`` (no join)."""
    rows = (program_rows() if rows is None else rows).filter(patient_id=patient.id)
    programs = _with_pauses(rows.order_by("-start_date", "-id"))
    for program in programs:
        program.patient = patient
    return programs


def _with_pauses(rows: QuerySet[Program]) -> list[Program]:
    loaded = list(rows)
    prefetch_related_objects([p for p in loaded if p.ever_paused], "pauses")
    for program in loaded:
        if not program.ever_paused:
            program.pause_list = []  # the cached property, known without asking
    return loaded


def _current(programs: list[Program]) -> dict[int, Program]:
    chosen: dict[int, Program] = {}
    for program in programs:
        held = chosen.get(program.patient_id)
        if held is None or (held.status not in CURRENT_STATUSES and program.status in CURRENT_STATUSES):
            chosen[program.patient_id] = program
    return chosen


def current_programs(patient_ids: Iterable[int], rows: QuerySet[Program] | None = None) -> dict[int, Program]:
    """Each patient's current (active or paused) program, else their latest one; one query (two with pauses)."""
    return _current(programs_for_patients(patient_ids, rows))


def current_program(patient: Patient, rows: QuerySet[Program] | None = None) -> Program | None:
    return _current(programs_of(patient, rows)).get(patient.id)


def program_on(programs: Iterable[Program], day: dt.date) -> Program | None:
    """The program a set done on ``day`` belongs to: current programs first, then the newest."""
    candidates = [p for p in programs if p.covers(day)]
    candidates.sort(key=lambda p: (p.status not in CURRENT_STATUSES, -p.start_date.toordinal()))
    return candidates[0] if candidates else None


def maintenance_program_on(programs: Iterable[Program], day: dt.date) -> Program | None:
    """The program whose maintenance (docs/clinical.md §11) covers ``day``: its sets are kept with it."""
    ids = [p.id for p in programs]
    found = (
        AfterCare.objects.filter(program_id__in=ids, state=NextStep.MAINTENANCE, starts_on__lte=day, ends_on__gte=day)
        .values_list("program_id", flat=True)
        .first()
    )
    return next((p for p in programs if p.id == found), None)


def demonstrations_active(*, exercise: str | None = None) -> QuerySet[Demonstration]:
    """The clinic's demonstrations the player shows, per exercise in their order."""
    rows = Demonstration.objects.filter(active=True)
    return rows.filter(exercise=exercise) if exercise else rows


def demonstration_of_file(*, name: str) -> Demonstration | None:
    """The active demonstration stored under ``name``: only those are served."""
    return Demonstration.objects.filter(file=name, active=True).first()
