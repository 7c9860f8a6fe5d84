"""The return-to-running walk–run progression, judged by the pain-monitoring model (docs/clinical.md §5, §11).

Silbernagel et al., Am J Sports Med 2007;35:897 used the model for running during rehabilitation: pain during
running at most 5/10 and settled by the next morning. No trial fixes the steps: they are a clinic's defaults
(``RUN_STEPS_MINUTES``: minutes of running within a walk, ``RUN_SESSIONS_PER_WEEK`` sessions a week). A session
that keeps the rules moves the patient to the next step; one that breaks them holds the step.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from .models import RunLog


@dataclass(frozen=True)
class Judgement:
    ok: bool | None  # None until the next morning's pain is in
    reason: str


def judge_run(log: RunLog) -> Judgement:
    """Whether one session kept the pain rules: during ≤ RUN_PAIN_DURING_MAX, next morning ≤ RUN_MORNING_PAIN_MAX."""
    limit, settle = settings.RUN_PAIN_DURING_MAX, settings.RUN_MORNING_PAIN_MAX
    if log.pain_during > limit:
        return Judgement(False, f"pain {log.pain_during}/10 while running (the limit is {limit}/10)")
    if log.pain_next_morning is None:
        return Judgement(None, "waiting for the next morning's pain")
    if log.pain_next_morning > settle:
        return Judgement(False, f"pain {log.pain_next_morning}/10 the next morning had not settled "
                                f"(settled is at most {settle}/10)")  # fmt: skip
    return Judgement(True, "")


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
    steps = list(settings.RUN_STEPS_MINUTES)
    step, held, reason, waiting, done = 1, False, "", None, False
    for log in logs:
        verdict = judge_run(log)
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
