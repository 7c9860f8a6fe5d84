"""A prescription as the API shows it, and the notice for sets logged while a red flag holds the program."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from .models import AfterCare, PauseReason, Program
from .progression import suggested_loads
from .protocols import PAIN_GUIDE, PROGRAM_WEEKS, PROTOCOLS, prescription, training_weekdays, week_items

ON_HOLD_NOTICE = (
    "Your exercises are on hold until a clinician has looked at the warning sign you reported. "
    "The set is kept, but please do not train until you hear from your clinic."
)


# HSR's tempo and rests are the trial's (Beyer 2015): 3 s up, 3 s down, 2–3 min between sets, 5 min between
# exercises. Alfredson's trials only say "slowly" and give no rest: the lowering and rests are clinic settings.
HSR_LOWER_SECONDS = HSR_RISE_SECONDS = 3
HSR_EXERCISE_REST_SECONDS = 300


def timing(protocol: str) -> tuple[dict, dict]:
    """The player's tempo and rests for a protocol: ``({lower, rise}, {between_sets, after_exercise})`` in
    seconds; Alfredson's rise is done with the other leg and not timed (None)."""
    if PROTOCOLS[protocol].daily:
        rest = {"between_sets": settings.ALFREDSON_REST_SECONDS,
                "after_exercise": settings.ALFREDSON_EXERCISE_REST_SECONDS}  # fmt: skip
        return {"lower": settings.ALFREDSON_LOWER_SECONDS, "rise": None}, rest
    return (
        {"lower": HSR_LOWER_SECONDS, "rise": HSR_RISE_SECONDS},
        {"between_sets": settings.HSR_REST_SECONDS, "after_exercise": HSR_EXERCISE_REST_SECONDS},
    )


def _movement(program: Program, day: dt.date, daily: bool) -> dict:
    """What the player's illustration shows: off a step or from a flat floor (insertional: never below the
    forefoot), the leg that lowers, the legs that rise (Alfredson: the other leg; both legs when both are
    affected, and always for HSR)."""
    side = program.patient.side_on(day)
    one_leg = daily and side in ("left", "right")
    return {
        "heel_below_forefoot": not program.insertional,
        "lowering_leg": side if one_leg else None,
        "rise_on": "other_leg" if one_leg else "both_legs",
    }


def on_hold(program: Program, day: dt.date) -> bool:
    """Whether a red flag holds the program on ``day`` (docs/clinical.md §8): sets are kept, the patient is told."""
    pause = program.paused_on(day)
    return pause is not None and pause.reason == PauseReason.RED_FLAG


def prescription_data(program: Program | None, day: dt.date) -> dict:
    """A prescription as the API shows it: items with load, pain guide, and for HSR the RM and a suggested load."""
    if program is None:
        return {"program": None, "date": day, "week": None, "training_day": False, "training_weekdays": [],
                "items": []}  # fmt: skip
    rx = prescription(program, day)
    suggested = suggested_loads(program, rx.week) if rx.items else {}
    daily = PROTOCOLS[program.protocol].daily
    tempo, rest = timing(program.protocol)
    movement = _movement(program, day, daily)
    loads = {exercise: float(kg) for exercise, kg in program.loads.items() if kg is not None}  # the schema's floats
    items = [
        {
            "exercise": i.exercise,
            "sets": i.sets,
            "reps": i.reps,
            "session": i.session,
            "tempo": i.tempo,
            "note": i.note,
            "load_kg": loads.get(i.exercise),
            "pain_guide": PAIN_GUIDE,
            "rm": None if daily else i.reps,
            "suggested_load_kg": suggested.get(i.exercise),
            # docs/clinical.md §10: with no load to start from (HSR's first stage, or no sets logged at the one
            # before), the patient finds the RM set by set; the load found is logged and suggests the next stage's.
            "find_rm": not daily and suggested.get(i.exercise) is None and loads.get(i.exercise) is None,
            "tempo_seconds": dict(tempo),
            "rest_seconds": dict(rest),
            "movement": dict(movement),
        }
        for i in rx.items
    ]
    return {"program": program.id, "date": day, "week": rx.week, "training_day": rx.training_day,
            "training_weekdays": training_weekdays(program), "items": items}  # fmt: skip


def maintenance_weekdays(aftercare: AfterCare) -> list[int]:
    """Maintenance's two days a week (docs/clinical.md §11): the first day's weekday and three days later."""
    first = aftercare.starts_on.weekday()
    return sorted({first, (first + 3) % 7})


def maintenance_data(program: Program, aftercare: AfterCare, day: dt.date) -> dict:
    """Maintenance (docs/clinical.md §11): the program's last week's exercises, one session, at the last load,
    on two days a week until its end; nothing on other days."""
    on = aftercare.starts_on <= day <= aftercare.ends_on and day.weekday() in maintenance_weekdays(aftercare)
    loads = {exercise: float(kg) for exercise, kg in program.loads.items() if kg is not None}
    daily = PROTOCOLS[program.protocol].daily
    tempo, rest = timing(program.protocol)
    movement = _movement(program, day, daily)
    items = []
    seen = set()
    for i in week_items(program.protocol, PROGRAM_WEEKS, program.insertional) if on else ():
        if i.exercise in seen:
            continue  # one session a day
        seen.add(i.exercise)
        items.append({"exercise": i.exercise, "sets": i.sets, "reps": i.reps, "session": None, "tempo": i.tempo,
                      "note": i.note, "load_kg": loads.get(i.exercise), "pain_guide": PAIN_GUIDE, "rm": None,
                      "suggested_load_kg": None, "find_rm": False, "tempo_seconds": dict(tempo),
                      "rest_seconds": dict(rest), "movement": dict(movement)})  # fmt: skip
    return {"program": program.id, "date": day, "week": None, "training_day": on,
            "training_weekdays": maintenance_weekdays(aftercare), "items": items}  # fmt: skip
