"""Adherence, one definition for every caller (SPEC §3).

A day counts once it is over in the patient's time zone; today is "in progress"
and never lowers a score. Alfredson: a day's completed sets are, per prescribed
exercise, min(sets logged, sets prescribed). HSR: sets count toward their program
week whichever day they were done on, capped per exercise at the week's
prescription, and a week owes its sets pro rata to its finished days. Paused
days prescribe nothing.

Set rows are counted in the database (one grouped query for any number of
programs); Python only combines the per-day counts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count

from patients.localtime import local_today

from .models import Program, SetLog
from .protocols import PROTOCOLS, prescription, program_week

ONE_DAY = dt.timedelta(days=1)


@dataclass
class DayFigure:
    date: dt.date
    prescribed_sets: int
    completed_sets: int
    status: str  # finished | in_progress | upcoming


@dataclass
class WeekFigure:
    week: int
    prescribed_sets: float
    completed_sets: float

    @property
    def adherence(self) -> float | None:
        return _ratio(self.completed_sets, self.prescribed_sets)


@dataclass
class Adherence:
    date_from: dt.date
    date_to: dt.date
    days: list[DayFigure] = field(default_factory=list)
    weeks: list[WeekFigure] = field(default_factory=list)

    @property
    def prescribed_sets(self) -> float:
        return round(sum(w.prescribed_sets for w in self.weeks), 2)

    @property
    def completed_sets(self) -> float:
        return round(sum(w.completed_sets for w in self.weeks), 2)

    @property
    def overall(self) -> float | None:
        return _ratio(self.completed_sets, self.prescribed_sets)


def _ratio(completed: float, prescribed: float) -> float | None:
    return round(completed / prescribed, 4) if prescribed else None


Window = tuple[dt.date, dt.date]


def adherence_for_programs(
    programs: Sequence[Program],
    *,
    now: dt.datetime | None = None,
    last_days: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict[int, Adherence]:
    """Adherence of each program, keyed by program id.

    The window is either the last ``last_days`` finished days before each
    patient's local today, or ``date_from``..``date_to`` (default: the whole
    program). Programs need ``patient`` and ``pauses`` loaded to avoid queries.
    """
    todays = {p.id: local_today(p.patient.timezone, now) for p in programs}
    windows: dict[int, Window] = {}
    for p in programs:
        if last_days is not None:
            windows[p.id] = (todays[p.id] - dt.timedelta(days=last_days), todays[p.id] - ONE_DAY)
        else:
            windows[p.id] = (date_from or p.start_date, date_to or p.end_date)
    counts = _set_counts(programs, windows)
    return {p.id: _program_adherence(p, windows[p.id], todays[p.id], counts.get(p.id, {})) for p in programs}


DayCounts = dict[dt.date, dict[str, int]]


def _set_counts(programs: Iterable[Program], windows: dict[int, Window]) -> dict[int, DayCounts]:
    """Sets logged per program, date and exercise, in one grouped query."""
    ids = [p.id for p in programs]
    if not ids:
        return {}
    # HSR counts a week's sets whichever day they fell on: reach back to the week start.
    first = min(w[0] for w in windows.values()) - dt.timedelta(days=6)
    last = max(w[1] for w in windows.values())
    rows = (
        SetLog.objects.filter(program_id__in=ids, date__gte=first, date__lte=last)
        .values_list("program_id", "date", "exercise")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, DayCounts] = defaultdict(lambda: defaultdict(dict))
    for program_id, day, exercise, n in rows:
        counts[program_id][day][exercise] = n
    return counts


def _day_status(day: dt.date, today: dt.date) -> str:
    if day < today:
        return "finished"
    return "in_progress" if day == today else "upcoming"


def _program_adherence(program: Program, window: Window, today: dt.date, counts: DayCounts) -> Adherence:
    start = max(window[0], program.start_date)
    end = min(window[1], program.end_date)
    result = Adherence(start, end)
    spec = PROTOCOLS[program.protocol]
    weeks: dict[int, WeekFigure] = {}
    day = start
    while day <= end:
        rx = prescription(program, day)
        week = program_week(program.start_date, day)
        logged = counts.get(day, {})
        if spec.daily:
            done = sum(min(logged.get(ex, 0), spec.day_cap(week, ex)) for ex in spec.exercises) if rx.items else 0
        else:
            done = sum(min(logged.get(ex, 0), spec.day_cap(week, ex)) for ex in spec.exercises)
        status = _day_status(day, today)
        result.days.append(DayFigure(day, rx.total_sets, done, status))
        figure = weeks.setdefault(week, WeekFigure(week, 0, 0))
        if status == "finished":
            if spec.daily:
                figure.prescribed_sets += rx.total_sets
                figure.completed_sets += done
            elif program.prescribes_on(day):
                figure.prescribed_sets += spec.week_sets(week) / 7
        day += ONE_DAY
    if not spec.daily:
        _fill_hsr_weeks(program, weeks, min(end, today - ONE_DAY), counts)
    result.weeks = [weeks[w] for w in sorted(weeks)]
    return result


def _fill_hsr_weeks(program: Program, weeks: dict[int, WeekFigure], last_counted: dt.date, counts: DayCounts) -> None:
    """HSR: each week's sets (any day of that week up to the last finished day), capped."""
    spec = PROTOCOLS[program.protocol]
    for week, figure in weeks.items():
        week_start = program.start_date + dt.timedelta(days=7 * (week - 1))
        per_exercise: dict[str, int] = defaultdict(int)
        for offset in range(7):
            day = week_start + dt.timedelta(days=offset)
            if day > last_counted:
                break
            for ex, n in counts.get(day, {}).items():
                per_exercise[ex] += n
        logged = sum(min(per_exercise[ex], spec.week_cap(week, ex)) for ex in spec.exercises)
        figure.prescribed_sets = round(figure.prescribed_sets, 2)
        figure.completed_sets = round(min(logged, figure.prescribed_sets), 2)
