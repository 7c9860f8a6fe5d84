"""Set-log aggregates: the one place that sums, counts and groups set logs for the apps above.

Each is one grouped query for any number of patients or programs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from django.db.models import Avg, Count, Max, Min, OuterRef, QuerySet, Subquery, Sum

from patients.models import CheckIn, Patient, VisaA

from .models import SetLog


@dataclass(frozen=True)
class DaySets:
    """A patient's logged sets on one local date."""

    sets: int
    reps: int
    pain_total: int
    pain_max: int
    load_max: float

    @property
    def pain_mean(self) -> float:
        return round(self.pain_total / self.sets, 2)


def sets_by_day(
    patient_ids: Iterable[int], date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[int, dict[dt.date, DaySets]]:
    """``{patient: {date: DaySets}}`` over the window (open ends: everything)."""
    rows = SetLog.objects.filter(patient_id__in=list(patient_ids))
    if date_from:
        rows = rows.filter(date__gte=date_from)
    if date_to:
        rows = rows.filter(date__lte=date_to)
    grouped = (
        rows.values_list("patient_id", "date")
        .annotate(n=Count("id"), reps_sum=Sum("reps"), pain_sum=Sum("pain"), worst=Max("pain"), load=Max("load_kg"))
        .order_by("patient_id", "date")
    )
    days: dict[int, dict[dt.date, DaySets]] = defaultdict(dict)
    for pid, day, n, reps, pain, worst, load in grouped:
        days[pid][day] = DaySets(n, reps, pain, worst, float(load))
    return days


def last_log_dates(
    patient_ids: Iterable[int], *, recent: dict[int, dict[dt.date, DaySets]] | None = None
) -> dict[int, dt.date]:
    """``{patient: date of the latest set}`` (patients without a set left out).

    ``recent`` is ``sets_by_day``'s answer for a window open to the future: a patient with a set there is
    answered from it, and only the others are looked up. The lookup names no dates, so on PostgreSQL it visits
    every month's partition: one backward index probe a partition (the newest set), never the patient's sets.
    """
    ids = list(patient_ids)
    found = {pid: max(days) for pid, days in (recent or {}).items() if days and pid in ids}
    rest = [pid for pid in ids if pid not in found]
    if rest:
        newest = SetLog.objects.filter(patient_id=OuterRef("pk")).order_by("-date").values("date")[:1]
        looked_up = Patient.objects.filter(pk__in=rest).annotate(last=Subquery(newest)).values_list("pk", "last")
        found.update((pid, last) for pid, last in looked_up if last is not None)
    return found


@dataclass(frozen=True)
class SessionPain:
    """One logged session (a program, date and session): its worst exercise pain and when it was first recorded."""

    program_id: int
    patient_id: int
    date: dt.date
    session: str | None
    worst: int
    recorded: dt.datetime


@cache
def _sessions() -> QuerySet:
    """Sets grouped into sessions, built once: filters added later go to its WHERE (the grouping's columns are
    plain fields), and building the grouping costs more than running it on a patient's fortnight."""
    return (
        SetLog.objects.values_list("program_id", "patient_id", "date", "session")
        .annotate(worst=Max("pain"), recorded=Min("created_at"))
        .order_by("program_id", "date", "session")
    )


def session_pain(program_ids: Iterable[int], *, since: dt.date, until: dt.date | None = None) -> list[SessionPain]:
    """Sessions of these programs from ``since``, oldest first (docs/clinical.md §2, §5 judge each by its worst set)."""
    grouped = _sessions().filter(program_id__in=list(program_ids), date__gte=since)
    if until:
        grouped = grouped.filter(date__lte=until)
    return [SessionPain(*row) for row in grouped]


def logged_sessions(patient_ids: Iterable[int], dates: Iterable[dt.date]) -> set[tuple[int, dt.date, str | None]]:
    """(patient, date, session) with at least one set logged."""
    return set(
        SetLog.objects.filter(patient_id__in=list(patient_ids), date__in=list(dates))
        .values_list("patient_id", "date", "session")
        .distinct()
    )


def mean_pain(program_id: int, weeks: Iterable[int]) -> float | None:
    value = SetLog.objects.filter(program_id=program_id, week__in=list(weeks)).aggregate(mean=Avg("pain"))["mean"]
    return None if value is None else round(float(value), 1)


@cache
def _counts() -> QuerySet:
    return SetLog.objects.values_list("exercise", "session", "side").annotate(n=Count("id")).order_by()


def todays_set_counts(patient_id: int, day: dt.date) -> dict[tuple[str, str | None, str], int]:
    """``{(exercise, session, side): sets}`` a patient logged on ``day``."""
    rows = _counts().filter(patient_id=patient_id, date=day)
    return {(exercise, session, side): n for exercise, session, side, n in rows}


def monitored_days(
    patient_ids: Iterable[int], date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[int, set[dt.date]]:
    """``{patient: {date}}``: the patient-local days with any logged set, check-in or VISA-A — "days
    monitored" on the caseload, and remote therapeutic monitoring's "activity" data days. Three queries."""
    ids = list(patient_ids)
    days: dict[int, set[dt.date]] = defaultdict(set)
    for model in (SetLog, CheckIn, VisaA):
        rows = model.objects.filter(patient_id__in=ids)
        if date_from:
            rows = rows.filter(date__gte=date_from)
        if date_to:
            rows = rows.filter(date__lte=date_to)
        for pid, day in rows.values_list("patient_id", "date").distinct():
            days[pid].add(day)
    return days
