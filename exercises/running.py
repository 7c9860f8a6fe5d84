"""The return-to-running walk–run progression, judged by the pain-monitoring model (docs/clinical.md §5, §11).

Silbernagel et al., Am J Sports Med 2007;35:897 used the model for running during rehabilitation: pain during
running at most 5/10, settled by the next morning, and morning pain not rising week to week (here: the
sessions' next-morning pain, a rise of ``MORNING_PAIN_WEEKLY_RISE`` on the week before holds the step). No
trial fixes the steps: they are a clinic's defaults (``RUN_STEPS_MINUTES``: minutes of running within a walk,
``RUN_SESSIONS_PER_WEEK`` sessions a week). A session that keeps the rules moves the patient to the next step;
one that breaks them holds the step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean

from django.conf import settings

from .models import RunLog


@dataclass(frozen=True)
class Judgement:
    ok: bool | None  # None until the next morning's pain is in
    reason: str


def judge_run(log: RunLog, earlier: Sequence[RunLog] = ()) -> Judgement:
    """Whether one session kept the pain rules: during ≤ RUN_PAIN_DURING_MAX, next morning ≤ RUN_MORNING_PAIN_MAX,
    and, given the ``earlier`` sessions, next-morning pain not rising week to week (``_weekly_rise``)."""
    limit, settle = settings.RUN_PAIN_DURING_MAX, settings.RUN_MORNING_PAIN_MAX
    if log.pain_during > limit:
        return Judgement(False, f"pain {log.pain_during}/10 while running (the limit is {limit}/10)")
    if log.pain_next_morning is None:
        return Judgement(None, "waiting for the next morning's pain")
    if log.pain_next_morning > settle:
        return Judgement(False, f"pain {log.pain_next_morning}/10 the next morning had not settled "
                                f"(settled is at most {settle}/10)")  # fmt: skip
    rise = _weekly_rise(log, earlier)
    if rise is not None and rise >= settings.MORNING_PAIN_WEEKLY_RISE:
        return Judgement(False, f"next-morning pain rose by {rise:.1f} points on the week before "
                                f"(a rise of {settings.MORNING_PAIN_WEEKLY_RISE:g} holds the step)")  # fmt: skip
    return Judgement(True, "")


def _week(day: dt.date) -> tuple[int, int]:
    return day.isocalendar()[:2]


def _weekly_rise(log: RunLog, earlier: Sequence[RunLog]) -> float | None:
    """Silbernagel's third rule, on the sessions' own next-morning pain: this week's mean so far (the session's
    week, with it) less the week before's. None without sessions in both weeks."""
    this_week, week_before = _week(log.date), _week(log.date - dt.timedelta(days=7))
    sessions = [e for e in earlier if e.pk != log.pk and e.pain_next_morning is not None and e.date <= log.date]
    now = [e.pain_next_morning for e in sessions if _week(e.date) == this_week] + [log.pain_next_morning]
    before = [e.pain_next_morning for e in sessions if _week(e.date) == week_before]
    return mean(now) - mean(before) if before else None


@dataclass(frozen=True)
class Progress:
    step: int  # the step of the next session (1-based)
    steps: int
    minutes_run: int  # its minutes of running
    held: bool  # the last judged session broke a rule: the step is repeated
    held_reason: str
    awaiting_morning: RunLog | None  # the latest session still waiting for its next-morning pain
    done: bool  # the last step was run within the rules


def progress(logs: list[RunLog]) -> Progress:
    """Where the progression stands after ``logs`` (oldest first)."""
    logs = list(logs)
    steps = list(settings.RUN_STEPS_MINUTES)
    step, held, reason, waiting, done = 1, False, "", None, False
    for index, log in enumerate(logs):
        verdict = judge_run(log, logs[:index])
        if verdict.ok is None:
            waiting = log
            continue
        held, reason = (not verdict.ok), verdict.reason
        if verdict.ok:
            done = log.step >= len(steps)
            step = min(log.step + 1, len(steps))
        else:
            step = log.step
    return Progress(step, len(steps), steps[step - 1], held, reason, waiting, done)
