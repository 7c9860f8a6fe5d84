"""Reads for programs and logs."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from patients.models import Patient

from .models import CURRENT_STATUSES, Program


def programs_for_patients(patient_ids: Iterable[int]) -> QuerySet[Program]:
    return (
        Program.objects.filter(patient_id__in=list(patient_ids))
        .select_related("patient")
        .prefetch_related("pauses")
        .order_by("patient_id", "-start_date", "-id")
    )


def current_programs(patient_ids: Iterable[int]) -> dict[int, Program]:
    """Each patient's current (active or paused) program, else their latest one; two queries."""
    chosen: dict[int, Program] = {}
    for program in programs_for_patients(patient_ids):
        held = chosen.get(program.patient_id)
        if held is None or (held.status not in CURRENT_STATUSES and program.status in CURRENT_STATUSES):
            chosen[program.patient_id] = program
    return chosen


def current_program(patient: Patient) -> Program | None:
    return current_programs([patient.id]).get(patient.id)


def program_on(programs: Iterable[Program], day: dt.date) -> Program | None:
    """The program a set done on ``day`` belongs to: current programs first, then the newest."""
    candidates = [p for p in programs if p.covers(day)]
    candidates.sort(key=lambda p: (p.status not in CURRENT_STATUSES, -p.start_date.toordinal()))
    return candidates[0] if candidates else None
