"""When a program asks for a VISA-A, and which one is its baseline or outcome (docs/clinical.md §6).

Baseline: the first VISA-A dated from 14 days before the start to day 14 — never
a score from an earlier episode of care. Outcome: the latest dated from the
program's last 14 days to 7 days after its end. The patient is asked on day 1,
in week 6 and at the start of the last 14 days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import Program

BASELINE_BEFORE = dt.timedelta(days=14)
EARLY_DAYS = dt.timedelta(days=13)  # day 14 is start + 13
LAST_DAYS = dt.timedelta(days=13)  # the last 14 days start at end − 13
AFTER_END = dt.timedelta(days=7)
MID_WEEK = 6


@dataclass(frozen=True)
class VisaAStage:
    name: str  # baseline | mid | outcome
    ask_from: dt.date  # the day the patient is first asked
    window: tuple[dt.date, dt.date]  # a VISA-A dated in here answers this stage


def first_day_of_week(program: Program, week: int) -> dt.date:
    """The first unpaused day of program week ``week``."""
    day = program.start_date + dt.timedelta(days=7 * (week - 1))
    if not program.pause_list:
        return day
    day = program.start_date
    while program.week_on(day) is not None and (program.week_on(day) < week or program.paused_on(day)):
        day += dt.timedelta(days=1)
    return day


def baseline_window(program: Program) -> tuple[dt.date, dt.date]:
    return program.start_date - BASELINE_BEFORE, program.start_date + EARLY_DAYS


def outcome_window(program: Program) -> tuple[dt.date, dt.date]:
    return program.end_date - LAST_DAYS, program.end_date + AFTER_END


def visa_a_stages(program: Program) -> list[VisaAStage]:
    mid = first_day_of_week(program, MID_WEEK)
    last = outcome_window(program)
    return [
        VisaAStage("baseline", program.start_date, baseline_window(program)),
        VisaAStage("mid", mid, (mid, mid + dt.timedelta(days=6))),
        VisaAStage("outcome", last[0], last),
    ]


def visa_a_asking(program: Program, today: dt.date) -> list[VisaAStage]:
    """The stages that ask for a questionnaire today, answered or not (on most days none: no need to look)."""
    return [stage for stage in visa_a_stages(program) if stage.ask_from <= today <= stage.window[1]]


def visa_a_due(program: Program, today: dt.date, dates: list[dt.date]) -> VisaAStage | None:
    """The stage whose questionnaire is due today and not yet answered (None when nothing is asked)."""
    for stage in visa_a_asking(program, today):
        first, last = stage.window
        if not any(first <= d <= last for d in dates):
            return stage
    return None


def pick_baseline(program: Program, scores: list[tuple[dt.date, int]]) -> int | None:
    first, last = baseline_window(program)
    return next((s for d, s in sorted(scores, key=lambda x: x[0]) if first <= d <= last), None)


def pick_outcome(program: Program, scores: list[tuple[dt.date, int]]) -> int | None:
    first, last = outcome_window(program)
    inside = [s for d, s in sorted(scores, key=lambda x: x[0]) if first <= d <= last]
    return inside[-1] if inside else None
