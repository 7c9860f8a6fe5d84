"""Adherence, one definition for every caller (docs/clinical.md §7).

A day counts once it is over in the patient's time zone; today is "in progress"
and never lowers a score. A logged set counts min(reps logged ÷ reps prescribed,
1) of a set (reps-weighted). With ``side = both`` each leg owes the full
prescription and its sets count for that leg only. Alfredson: a day's completed
sets are, per prescribed exercise and leg, min(set credit, sets prescribed). HSR:
sets count toward their program week whichever unpaused day they were done on, capped
per exercise and leg at the week's prescription, and a week owes its sets pro rata to
its finished days. Paused days (a clinician's pause or an open red flag)
prescribe nothing and credit nothing (sets logged on them are kept), and the
program week counts unpaused days only.

Set rows are counted in the database (one grouped query for any number of
programs); Python only combines the per-day counts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count

from core.localtime import local_today

from .models import Program, SetLog
from .protocols import PROTOCOLS, prescribed_reps, prescription, set_credit

ONE_DAY = dt.timedelta(days=1)


@dataclass
class DayFigure:
    date: dt.date
    prescribed_sets: int
    completed_sets: float
    status: str  # finished | in_progress | upcoming
    prescribes: bool = True  # not paused or stopped
    week: int | None = None


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
    if last_days is not None:
        return adherence_over_last_days(programs, now=now, windows=(last_days,))[last_days]
    todays = {p.id: local_today(p.patient.timezone, now) for p in programs}
    windows = {p.id: (date_from or p.start_date, date_to or p.end_date) for p in programs}
    counts = _set_counts(programs, windows)
    return {p.id: _program_adherence(p, windows[p.id], todays[p.id], counts.get(p.id, {})) for p in programs}


def adherence_over_last_days(
    programs: Sequence[Program], *, now: dt.datetime | None = None, windows: Sequence[int] = (7,)
) -> dict[int, dict[int, Adherence]]:
    """``{days: {program id: Adherence}}`` over the last ``days`` finished days, for several windows at once.

    One grouped query serves every window (the caseload's 7 and 28 days, the ladder's 7 and 14).
    """
    todays = {p.id: local_today(p.patient.timezone, now) for p in programs}
    spans = {
        days: {p.id: (todays[p.id] - dt.timedelta(days=days), todays[p.id] - ONE_DAY) for p in programs}
        for days in windows
    }
    counts = _set_counts(programs, spans[max(windows)])
    widest = max(windows)
    shared = {  # day figures made once, for the widest window, and sliced for the others
        p.id: _day_figures(
            p, max(spans[widest][p.id][0], p.start_date), min(spans[widest][p.id][1], p.end_date),
            todays[p.id], counts.get(p.id, {}),
        )
        for p in programs
    }  # fmt: skip
    return {
        days: {
            p.id: _program_adherence(p, span[p.id], todays[p.id], counts.get(p.id, {}), shared[p.id]) for p in programs
        }
        for days, span in spans.items()
    }


# Per program: day → (exercise, leg) → [(reps, sets)]; the leg is the set's side column.
DayCounts = dict[dt.date, dict[tuple[str, str], list[tuple[int, int]]]]
SIDES = ("left", "right")


def legs(program: Program, day: dt.date) -> tuple[str | None, ...]:
    """The legs that each owe the full prescription on ``day``: both while ``side = both`` was in force, else
    the one (None: a set of either side column counts)."""
    return SIDES if program.patient.side_on(day) == "both" else (None,)


def _groups(logged: dict, exercise: str, leg: str | None) -> list[tuple[int, int]]:
    if leg is not None:
        return logged.get((exercise, leg), [])
    return [*logged.get((exercise, "left"), []), *logged.get((exercise, "right"), [])]


def _set_counts(programs: Sequence[Program], windows: dict[int, Window]) -> dict[int, DayCounts]:
    """Sets logged per program, date, exercise, leg and reps, in one grouped query."""
    if not programs:
        return {}
    # HSR counts a week's sets whichever day they fell on: reach back to the start of the first day's week.
    first = min(_week_start(p, windows[p.id][0]) for p in programs)
    last = max(w[1] for w in windows.values())
    grouped = (
        SetLog.objects.filter(program_id__in=[p.id for p in programs], date__gte=first, date__lte=last)
        .values_list("program_id", "date", "exercise", "side", "reps")
        .annotate(n=Count("id"))
        .order_by()
    )
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:  # plain rows: the driver's dates need no per-row converters
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts: dict[int, DayCounts] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for program_id, day, exercise, side, reps, n in rows:
        day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)  # SQLite returns text
        counts[program_id][day][(exercise, side)].append((reps, n))
    return counts


def _week_start(program: Program, day: dt.date) -> dt.date:
    """The first day of ``day``'s program week (HSR; a daily protocol needs no reach back)."""
    if PROTOCOLS[program.protocol].daily or day <= program.start_date:
        return day
    week = program.week_on(day)
    while day > program.start_date and program.week_on(day - ONE_DAY) == week:
        day -= ONE_DAY
    return day


def credit(groups: list[tuple[int, int]], rx_reps: int) -> float:
    """The sets that ``groups`` of (reps, sets) are worth against ``rx_reps`` (docs/clinical.md §7.1)."""
    return sum(n * set_credit(reps, rx_reps) for reps, n in groups)


def day_status(day: dt.date, today: dt.date) -> str:
    if day < today:
        return "finished"
    return "in_progress" if day == today else "upcoming"


def _day_figures(program: Program, start: dt.date, end: dt.date, today: dt.date, counts: DayCounts) -> list[DayFigure]:
    spec = PROTOCOLS[program.protocol]
    figures = []
    day = start
    while day <= end:
        sides = legs(program, day)
        rx = prescription(program, day)
        week = rx.week  # the program week of the day, paused or not
        logged = counts.get(day)
        done = 0.0
        # Alfredson: only prescribed days count; HSR: any unpaused day's sets count toward the week.
        if logged and week and (rx.items or (not spec.daily and program.prescribes_on(day))):
            for ex in spec.exercises:
                cap, reps = spec.day_cap(week, ex), prescribed_reps(program.protocol, week, ex)
                done += sum(min(credit(_groups(logged, ex, leg), reps), cap) for leg in sides)
        figures.append(
            DayFigure(
                day,
                rx.total_sets * len(sides),
                round(done, 2),
                day_status(day, today),
                program.prescribes_on(day),
                week,
            )
        )
        day += ONE_DAY
    return figures


def _program_adherence(
    program: Program, window: Window, today: dt.date, counts: DayCounts, days: list[DayFigure] | None = None
) -> Adherence:
    """Adherence over ``window``; ``days`` may hold day figures already made for a wider window."""
    start = max(window[0], program.start_date)
    end = min(window[1], program.end_date)
    result = Adherence(start, end)
    if days is None:
        days = _day_figures(program, start, end, today, counts)
    result.days = [d for d in days if start <= d.date <= end]
    spec = PROTOCOLS[program.protocol]
    weeks: dict[int, WeekFigure] = {}
    for figure in result.days:
        if figure.week is None:  # stopped
            continue
        week = weeks.setdefault(figure.week, WeekFigure(figure.week, 0, 0))
        if figure.status != "finished":
            continue
        if spec.daily:
            week.prescribed_sets += figure.prescribed_sets
            week.completed_sets = round(week.completed_sets + figure.completed_sets, 2)
        elif figure.prescribes:
            week.prescribed_sets += spec.week_sets(figure.week) * len(legs(program, figure.date)) / 7
    if not spec.daily:
        _fill_hsr_weeks(program, weeks, min(end, today - ONE_DAY), counts)
    result.weeks = [weeks[w] for w in sorted(weeks)]
    return result


def _fill_hsr_weeks(program: Program, weeks: dict[int, WeekFigure], last_counted: dt.date, counts: DayCounts) -> None:
    """HSR: each week's set credit (any day of that week up to the last finished day), capped per exercise and leg."""
    spec = PROTOCOLS[program.protocol]
    # credit per exercise and leg (None: the one affected side of a single-side day), each capped at the week's
    per_week: dict[int, dict[tuple[str, str | None], float]] = defaultdict(lambda: defaultdict(float))
    for day, logged in counts.items():
        week = program.week_on(day)
        if day > last_counted or week not in weeks or not program.prescribes_on(day):  # paused or held: no credit
            continue
        both = legs(program, day) == SIDES
        for (ex, leg), groups in logged.items():
            per_week[week][(ex, leg if both else None)] += credit(groups, prescribed_reps(program.protocol, week, ex))
    for week, figure in weeks.items():
        done = per_week.get(week, {})
        logged = sum(min(credit, spec.week_cap(week, ex)) for (ex, _), credit in done.items())
        figure.prescribed_sets = round(figure.prescribed_sets, 2)
        figure.completed_sets = round(min(logged, figure.prescribed_sets), 2)
