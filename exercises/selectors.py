"""Reads for programs and logs."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet, prefetch_related_objects
from django.db.models.expressions import BaseExpression

from patients.models import Patient

from .models import CURRENT_STATUSES, Program, ProgramPause


def programs_for_patients(patient_ids: Iterable[int], **annotations: BaseExpression) -> list[Program]:
    """The patients' programs, newest first per patient, with their pauses. One query; a second for the pauses
    when any of these programs was ever paused (few are). ``annotations`` ride along in the same query."""
    programs = Program.objects.filter(patient_id__in=list(patient_ids)).select_related("patient")
    return _with_pauses(programs.order_by("patient_id", "-start_date", "-id"), annotations)


def programs_of(patient: Patient, **annotations: BaseExpression) -> list[Program]:
    """One patient's programs, as programs_for_patients, each holding this ``patient`` (no join)."""
    return _with_pauses(patient.programs.order_by("-start_date", "-id"), annotations)


def _with_pauses(programs: QuerySet[Program], annotations: dict[str, BaseExpression]) -> list[Program]:
    loaded = list(programs.annotate(ever_paused=Exists(ProgramPause.objects.filter(program=OuterRef("pk"))),
                                    **annotations))  # fmt: skip
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


def current_programs(patient_ids: Iterable[int], **annotations: BaseExpression) -> dict[int, Program]:
    """Each patient's current (active or paused) program, else their latest one; one query (two with pauses)."""
    return _current(programs_for_patients(patient_ids, **annotations))


def current_program(patient: Patient, **annotations: BaseExpression) -> Program | None:
    return _current(programs_of(patient, **annotations)).get(patient.id)


def program_on(programs: Iterable[Program], day: dt.date) -> Program | None:
    """The program a set done on ``day`` belongs to: current programs first, then the newest."""
    candidates = [p for p in programs if p.covers(day)]
    candidates.sort(key=lambda p: (p.status not in CURRENT_STATUSES, -p.start_date.toordinal()))
    return candidates[0] if candidates else None
