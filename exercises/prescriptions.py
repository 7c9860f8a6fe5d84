"""A prescription as the API shows it, and the notice for sets logged while a red flag holds the program."""

from __future__ import annotations

import datetime as dt

from .models import PauseReason, Program
from .progression import suggested_loads
from .protocols import PAIN_GUIDE, PROTOCOLS, prescription, training_weekdays

ON_HOLD_NOTICE = (
    "Your exercises are on hold until a clinician has looked at the warning sign you reported. "
    "The set is kept, but please do not train until you hear from your clinic."
)


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
        }
        for i in rx.items
    ]
    return {"program": program.id, "date": day, "week": rx.week, "training_day": rx.training_day,
            "training_weekdays": training_weekdays(program), "items": items}  # fmt: skip
