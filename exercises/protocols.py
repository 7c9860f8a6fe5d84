"""The three 12-week protocols as data, and the one function that reads them.

Sources (docs/clinical.md §2–§4):
- ``alfredson``: Alfredson, Pietilä, Jonsson, Lorentzon, Am J Sports Med
  1998;26:360 — 3 × 15 of each of two eccentric heel drops (knee straight and
  knee bent), twice a day, every day, 12 weeks; load added once it stops
  hurting (Alfredson & Cook, Br J Sports Med 2007;41:211).
- ``alfredson_insertional``: Jonsson, Alfredson, Sunding, Fahlström, Cook,
  Br J Sports Med 2008;42:746 — the same dose, lowered to neutral only (floor,
  not a step).
- ``hsr``: Beyer et al., Am J Sports Med 2015;43:1704 — three bilateral calf
  raises, 3 sessions a week, 3 s up / 3 s down: week 1 3×15 RM, 2–3 3×12 RM,
  4–5 4×10 RM, 6–8 4×8 RM, 9–12 4×6 RM.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol as TypingProtocol

from django.db import models

PROGRAM_WEEKS = 12
PROGRAM_DAYS = PROGRAM_WEEKS * 7


class Exercise(models.TextChoices):
    ECCENTRIC_HEEL_DROP_STRAIGHT = "eccentric_heel_drop_straight"
    ECCENTRIC_HEEL_DROP_BENT = "eccentric_heel_drop_bent"
    SEATED_CALF_RAISE = "seated_calf_raise"
    STANDING_CALF_RAISE = "standing_calf_raise"
    LEG_PRESS_CALF_RAISE = "leg_press_calf_raise"


class ProtocolSlug(models.TextChoices):
    ALFREDSON = "alfredson"
    ALFREDSON_INSERTIONAL = "alfredson_insertional"
    HSR = "hsr"


class Session(models.TextChoices):
    AM = "am"
    PM = "pm"


@dataclass(frozen=True)
class Dose:
    """One exercise's dose for one week: sets × reps, per session."""

    exercise: str
    sets: int
    reps: int
    tempo: str
    note: str = ""


@dataclass(frozen=True)
class ProtocolSpec:
    slug: str
    daily: bool  # every day (Alfredson) or on training weekdays (HSR)
    sessions: tuple[str | None, ...]  # sessions on a training day
    days_per_week: int  # training days a week
    weeks: dict[int, tuple[Dose, ...]]
    note: str

    @property
    def exercises(self) -> tuple[str, ...]:
        return tuple(d.exercise for d in self.weeks[1])

    def week_sets(self, week: int) -> int:
        """Sets a whole week prescribes, over all exercises."""
        return self.days_per_week * len(self.sessions) * sum(d.sets for d in self.weeks[week])

    def __post_init__(self):
        caps = {(w, d.exercise): len(self.sessions) * d.sets for w, doses in self.weeks.items() for d in doses}
        object.__setattr__(self, "_day_caps", caps)

    def day_cap(self, week: int, exercise: str) -> int:
        """Sets of one exercise a training day prescribes (all its sessions); 0 if not in the protocol."""
        return self._day_caps.get((week, exercise), 0)

    def week_cap(self, week: int, exercise: str) -> int:
        """Sets of one exercise a week prescribes."""
        return self.days_per_week * self.day_cap(week, exercise)


_ECCENTRIC_TEMPO = "slow lowering on the affected leg; rise with the other leg"


def _alfredson_week(note: str) -> tuple[Dose, ...]:
    return (
        Dose(Exercise.ECCENTRIC_HEEL_DROP_STRAIGHT, 3, 15, _ECCENTRIC_TEMPO, "Knee straight. " + note),
        Dose(Exercise.ECCENTRIC_HEEL_DROP_BENT, 3, 15, _ECCENTRIC_TEMPO, "Knee bent. " + note),
    )


# Silbernagel et al., Am J Sports Med 2007;35:897 (docs/clinical.md §5): told wherever pain is entered or prescribed.
PAIN_GUIDE = (
    "Pain during the exercise: 0–2 is safe, 3–5 is acceptable, above 5 is too much — next session use less load "
    "or fewer reps. If pain or stiffness is worse than usual the next morning, lower the load. Pain alone is no "
    "reason to stop the program; only the warning signs in the morning check-in are."
)
_MIDPORTION_NOTE = (
    "Off a step: lower the heel below the level of the forefoot. Some pain is expected. "
    "When it no longer hurts, add load (a backpack) until it is mildly painful again."
)
_INSERTIONAL_NOTE = (
    "On a flat floor: lower the heel only to neutral, never below the level of the forefoot. "
    "Some pain is expected. When it no longer hurts, add load until it is mildly painful again."
)

# Beyer et al. 2015: week → (sets, repetition maximum).
_HSR_DOSE = {1: (3, 15), 2: (3, 12), 3: (3, 12), 4: (4, 10), 5: (4, 10)}
_HSR_DOSE |= dict.fromkeys((6, 7, 8), (4, 8)) | dict.fromkeys((9, 10, 11, 12), (4, 6))
_HSR_TEMPO = "3 s up, 3 s down; 2–3 min rest between sets, 5 min between exercises"
_HSR_NOTES = {
    Exercise.SEATED_CALF_RAISE: "Seated, knee bent, in a machine or with a weight on the knees.",
    Exercise.STANDING_CALF_RAISE: "Standing, knee straight, forefoot on a raise, with a barbell or weight.",
    Exercise.LEG_PRESS_CALF_RAISE: "In the leg press, knee straight, pushing with the forefoot.",
}
_HSR_RM = (
    "Use a load you can lift {reps} times with good form and no more ({reps} RM): the last rep should be hard. "
    "Full range, both legs. Discomfort is acceptable; more pain after training means a lighter load."
)
# Insertional tendinopathy: HSR from a flat floor, the heel never below the forefoot (Beyer 2015 studied
# mid-portion only, so this is a clinician's sign-off). The notes say only that: no step, no full range.
_HSR_INSERTIONAL_NOTES = {
    Exercise.SEATED_CALF_RAISE: "Seated, knee bent, in a machine or with a weight on the knees, feet on a flat "
    "floor: lower the heels only back to the floor.",
    Exercise.STANDING_CALF_RAISE: "Standing on a flat floor, knee straight, with a barbell or weight: lower the "
    "heels only back to the floor, never below the forefoot.",
    Exercise.LEG_PRESS_CALF_RAISE: "In the leg press, knee straight, the whole foot on the plate as on a flat floor: "
    "push with the forefoot and lower the heels only until the foot is flat again, never past it.",
}
_HSR_INSERTIONAL_RM = (
    "Use a load you can lift {reps} times with good form and no more ({reps} RM): the last rep should be hard. "
    "Both legs, from the floor up onto the toes and back to the floor, never lower. Discomfort is acceptable; "
    "more pain after training means a lighter load."
)


def _hsr_week(week: int, insertional: bool = False) -> tuple[Dose, ...]:
    sets, reps = _HSR_DOSE[week]
    notes, rm = (_HSR_INSERTIONAL_NOTES, _HSR_INSERTIONAL_RM) if insertional else (_HSR_NOTES, _HSR_RM)
    return tuple(Dose(ex, sets, reps, _HSR_TEMPO, f"{note} {rm.format(reps=reps)}") for ex, note in notes.items())


def hsr_previous_stage(week: int) -> tuple[int, ...]:
    """The weeks of the RM stage before ``week``'s (empty in the first stage): repetitions fall stage by stage."""
    reps = _HSR_DOSE[week][1]
    higher = [r for _, r in _HSR_DOSE.values() if r > reps]
    if not higher:
        return ()
    return tuple(w for w, (_, r) in _HSR_DOSE.items() if r == min(higher))


_WEEKS = range(1, PROGRAM_WEEKS + 1)
PROTOCOLS: dict[str, ProtocolSpec] = {
    ProtocolSlug.ALFREDSON: ProtocolSpec(
        ProtocolSlug.ALFREDSON, True, (Session.AM, Session.PM), 7,
        {w: _alfredson_week(_MIDPORTION_NOTE) for w in _WEEKS}, _MIDPORTION_NOTE,
    ),
    ProtocolSlug.ALFREDSON_INSERTIONAL: ProtocolSpec(
        ProtocolSlug.ALFREDSON_INSERTIONAL, True, (Session.AM, Session.PM), 7,
        {w: _alfredson_week(_INSERTIONAL_NOTE) for w in _WEEKS}, _INSERTIONAL_NOTE,
    ),
    ProtocolSlug.HSR: ProtocolSpec(
        ProtocolSlug.HSR, False, (None,), 3, {w: _hsr_week(w) for w in _WEEKS}, "Heavy slow resistance",
    ),
}  # fmt: skip

# The protocol a patient's tendinopathy type gets by default; the others need a clinician's written reason:
# mid-portion Alfredson for an insertional patient, and HSR too (its trial studied mid-portion only).
DEFAULT_PROTOCOL = {"midportion": ProtocolSlug.ALFREDSON, "insertional": ProtocolSlug.ALFREDSON_INSERTIONAL}
FITS = {
    "midportion": {ProtocolSlug.ALFREDSON, ProtocolSlug.HSR},
    "insertional": {ProtocolSlug.ALFREDSON_INSERTIONAL},
}


# Where the patient is and what changes next week, by the protocol's own table (docs/clinical.md §2, §4):
# HSR's RM stages change at weeks 2, 4, 6 and 9 (Beyer 2015); Alfredson's dose never changes, and the load goes
# up when the exercises stop hurting (Alfredson & Cook 2007). The text is English; the app translates by ``change``.
WEEK_AHEAD_TEXTS = {
    "stage": "Next week: {sets} × {reps} RM — a heavier load for fewer reps. Your suggested load comes from the "
    "loads you log this week.",
    "same_stage": "Next week: the same {sets} × {reps} RM. If the last rep is no longer hard, add a little load.",
    "load_prompt": "Next week: the same {sets} × {reps}. When the exercises stop hurting, add load (a backpack) "
    "until they are mildly painful again.",
    "last_week": "This is the last week of your program. Your physio will review your results with you.",
}


def week_ahead(protocol: str, week: int) -> dict:
    """``{week, weeks, change, sets, reps, text}``: program week ``week`` and what the next one changes."""
    spec = PROTOCOLS[protocol]
    if week >= PROGRAM_WEEKS:
        return {"week": week, "weeks": PROGRAM_WEEKS, "change": "last_week", "sets": None, "reps": None,
                "text": WEEK_AHEAD_TEXTS["last_week"]}  # fmt: skip
    now, ahead = spec.weeks[week][0], spec.weeks[week + 1][0]
    if spec.daily:
        change = "load_prompt"
    else:
        change = "stage" if (now.sets, now.reps) != (ahead.sets, ahead.reps) else "same_stage"
    text = WEEK_AHEAD_TEXTS[change].format(sets=ahead.sets, reps=ahead.reps)
    return {"week": week, "weeks": PROGRAM_WEEKS, "change": change, "sets": ahead.sets, "reps": ahead.reps,
            "text": text}  # fmt: skip


def default_training_weekdays(start_date: dt.date) -> list[int]:
    """HSR default: the start date's weekday and two and four days later (Mon=0)."""
    first = start_date.weekday()
    return sorted({first, (first + 2) % 7, (first + 4) % 7})


class ProgramLike(TypingProtocol):
    protocol: str
    start_date: dt.date
    training_weekdays: list[int]
    insertional: bool

    def week_on(self, day: dt.date) -> int | None: ...

    def prescribes_on(self, day: dt.date) -> bool: ...


@dataclass(frozen=True)
class Item:
    exercise: str
    sets: int
    reps: int
    session: str | None
    tempo: str
    note: str


@dataclass(frozen=True)
class Prescription:
    date: dt.date
    week: int | None
    training_day: bool
    items: list[Item] = field(default_factory=list)

    @property
    def total_sets(self) -> int:
        return sum(i.sets for i in self.items)


def training_weekdays(program: ProgramLike) -> list[int]:
    """The HSR weekdays in force: the program's own, else the default (empty for daily protocols)."""
    if PROTOCOLS[program.protocol].daily:
        return []
    return sorted(program.training_weekdays or default_training_weekdays(program.start_date))


def is_training_day(program: ProgramLike, day: dt.date) -> bool:
    if PROTOCOLS[program.protocol].daily:
        return True
    return day.weekday() in training_weekdays(program)


def prescription(program: ProgramLike, day: dt.date) -> Prescription:
    """What ``program`` prescribes on the patient-local date ``day``.

    Empty on rest days, on paused or stopped days, and outside the program. The
    week counts unpaused days only (docs/clinical.md §7.3).
    """
    week = program.week_on(day)
    if week is None or not program.prescribes_on(day) or not is_training_day(program, day):
        return Prescription(day, week, False)
    both = program.patient.side_on(day) == "both"
    return Prescription(day, week, True, list(_week_items(program.protocol, week, program.insertional, both)))


# Alfredson with both tendons affected: the lowering is on one leg at a time (each leg does its own sets), and
# the rise, which the other leg does when one side is affected, is done on both legs.
_ECCENTRIC_TEMPO_BOTH = "slow lowering on one leg; rise on both legs"
_BOTH_NOTE = (
    "Both legs are affected: rise onto the toes on both legs, then lower slowly on the one leg whose set this is; "
    "do each leg's sets."
)


@lru_cache(maxsize=256)
def _week_items(protocol: str, week: int, insertional: bool, both: bool = False) -> tuple[Item, ...]:
    """A training day's items are the same all week: built once per protocol, week, tendinopathy type and side."""
    spec = PROTOCOLS[protocol]
    doses = _hsr_week(week, insertional=True) if insertional and protocol == ProtocolSlug.HSR else spec.weeks[week]
    if both and spec.daily:
        doses = tuple(Dose(d.exercise, d.sets, d.reps, _ECCENTRIC_TEMPO_BOTH, f"{d.note} {_BOTH_NOTE}") for d in doses)
    return tuple(Item(d.exercise, d.sets, d.reps, s, d.tempo, d.note) for s in spec.sessions for d in doses)


def week_items(protocol: str, week: int, insertional: bool) -> tuple[Item, ...]:
    """A training day's items of ``week`` (the after-week-12 maintenance repeats the last week's)."""
    return _week_items(protocol, week, insertional)


def prescribed_reps(protocol: str, week: int, exercise: str) -> int:
    """Reps a set of ``exercise`` prescribes in ``week`` (0 if not in the protocol)."""
    return next((d.reps for d in PROTOCOLS[protocol].weeks[week] if d.exercise == exercise), 0)


def set_credit(reps: int, rx_reps: int) -> float:
    """docs/clinical.md §7.1: a logged set counts min(reps logged ÷ reps prescribed, 1) of a set."""
    return min(reps / rx_reps, 1.0) if rx_reps else 0.0
