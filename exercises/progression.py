"""Load progression prompts (prompts, not flags).

- Alfredson (docs/clinical.md §2; Alfredson & Cook, Br J Sports Med 2007;41:211):
  when the worst exercise pain of each of the last 3 logged sessions is 0–2/10,
  the patient may add load (default +5 kg in a backpack) and the physio sees
  "progression due". Only sessions recorded after the last load change count.
- HSR (docs/clinical.md §4; Beyer 2015): each stage has a new repetition maximum; the
  suggested load comes from the previous stage's loads by Epley's estimate,
  1RM = load × (1 + reps/30), suggested = 1RM ÷ (1 + new reps/30), rounded to 2.5 kg.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from functools import cache

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.formats import number_format
from django.utils.translation import gettext

from patients.clinics import patient_setting
from patients.models import Patient

from .aggregates import session_pain
from .models import Program, ProgramChange, SetLog
from .protocols import PROTOCOLS, hsr_previous_stage
from .selectors import program_rows

LOOKBACK = dt.timedelta(days=14)


@cache
def progression_rows() -> QuerySet[Program]:
    """The selectors' program rows, each carrying ``last_load_change`` (when a physio last set a load), as
    ``progression_due`` needs them; built once, like the rows themselves. Callers may annotate more on top."""
    last_load_change = Subquery(
        ProgramChange.objects.filter(program=OuterRef("pk"), field__startswith="load:")
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )
    return program_rows().annotate(last_load_change=last_load_change)


def progression_due(programs: Sequence[Program], today: dt.date) -> set[int]:
    """Ids of the Alfredson programs whose last sessions were all painless enough to add load. One query.

    ``programs`` come from ``progression_rows()`` (above): only sessions recorded after the last load change count.
    """
    daily = {p.id: p.last_load_change for p in programs if PROTOCOLS[p.protocol].daily}
    if not daily:
        return set()
    worst: dict[int, list[int]] = defaultdict(list)
    for s in session_pain(daily, since=today - LOOKBACK, until=today):
        changed = daily[s.program_id]
        if changed is None or s.recorded > changed:
            worst[s.program_id].append(s.worst)
    patients = {p.id: p.patient for p in programs}  # each program's clinic may set its own thresholds
    due = set()
    for pid, pains in worst.items():
        need = patient_setting(patients[pid], "PROGRESSION_SESSIONS")
        if len(pains) >= need and max(pains[-need:]) <= patient_setting(patients[pid], "PROGRESSION_PAIN_MAX"):
            due.add(pid)
    return due


def progression_prompt(patient: Patient | None = None) -> dict:
    kg = patient_setting(patient, "PROGRESSION_ADD_KG")
    pain_max = patient_setting(patient, "PROGRESSION_PAIN_MAX")
    return {
        "add_kg": kg,
        "text": gettext(
            "Your last sessions hurt little (0–{pain_max}/10): you may add load, about {kg} kg in a backpack, until "
            "the exercises are mildly painful again. Your physio will set the new load."
        ).format(pain_max=pain_max, kg=number_format(f"{kg:g}")),
    }


def round_to_plate(kg: float) -> float:
    return round(kg / 2.5) * 2.5


def suggested_loads(program: Program, week: int) -> dict[str, float]:
    """HSR: per exercise, the load suggested for ``week``'s RM from the previous stage's logged loads."""
    previous = hsr_previous_stage(week)
    if PROTOCOLS[program.protocol].daily or not previous:
        return {}
    reps_now = {d.exercise: d.reps for d in PROTOCOLS[program.protocol].weeks[week]}
    best: dict[str, float] = {}
    # A program's sets are dated from its start: the bound lets PostgreSQL skip the older month partitions.
    logged = SetLog.objects.filter(program=program, date__gte=program.start_date, week__in=previous)
    for exercise, load, reps in logged.values_list("exercise", "load_kg", "reps"):
        one_rm = float(load) * (1 + reps / 30)
        best[exercise] = max(best.get(exercise, 0.0), one_rm)
    return {
        ex: round_to_plate(one_rm / (1 + reps_now[ex] / 30)) for ex, one_rm in best.items() if one_rm and ex in reps_now
    }
