"""A patient's day-by-day record for the physio: everything reviewed, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from core.localtime import local_today, zone
from exercises.adherence import adherence_for_programs, day_status
from exercises.aggregates import sets_by_day
from exercises.models import ProgramChange
from exercises.selectors import current_program
from notifications.models import Flag, Reminder
from patients.models import CheckIn, ClinicalNote, Patient, VisaA

DEFAULT_DAYS = 28


def timeline(patient: Patient, *, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict:
    today = local_today(patient.timezone)
    date_to = date_to or today
    date_from = date_from or date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    program = current_program(patient)
    days: dict[dt.date, dict] = {}
    day = date_from
    while day <= date_to:
        days[day] = {
            "date": day, "status": day_status(day, today),
            "prescribed_sets": 0, "completed_sets": 0, "sets_logged": 0, "pain_mean": None, "pain_max": None,
            "morning_pain": None, "morning_stiffness_minutes": None, "red_flags": [], "visa_a": None,
            "flags": [], "reminders": [], "program_changes": [], "notes": [],
        }  # fmt: skip
        day += dt.timedelta(days=1)
    if program:
        figures = adherence_for_programs([program], date_from=date_from, date_to=date_to)[program.id]
        for figure in figures.days:
            days[figure.date].update(prescribed_sets=figure.prescribed_sets, completed_sets=figure.completed_sets)
    window = {"date__gte": date_from, "date__lte": date_to}
    for day, sets in sets_by_day([patient.id], date_from, date_to).get(patient.id, {}).items():
        days[day].update(sets_logged=sets.sets, pain_mean=sets.pain_mean, pain_max=sets.pain_max)
    for checkin in CheckIn.objects.filter(patient=patient, **window):
        entry = days[checkin.date]
        entry["morning_pain"] = checkin.morning_pain
        entry["morning_stiffness_minutes"] = checkin.morning_stiffness_minutes
        entry["red_flags"] = sorted(set(entry["red_flags"]) | set(checkin.red_flags))
    for visa in VisaA.objects.filter(patient=patient, **window):
        days[visa.date]["visa_a"] = visa.score
    for reminder in Reminder.objects.filter(
        patient=patient, local_date__gte=date_from, local_date__lte=date_to
    ).order_by("slot"):
        days[reminder.local_date]["reminders"].append(
            {"slot": reminder.slot.strftime("%H:%M"), "status": reminder.status, "skip_reason": reminder.skip_reason}
        )
    _by_local_day(
        days,
        patient,
        Flag.objects.filter(patient=patient),
        "created_at",
        "flags",
        lambda f: {"id": f.id, "kind": f.kind, "level": f.level, "status": f.status, "reason": f.reason},
    )
    _by_local_day(
        days,
        patient,
        ProgramChange.objects.filter(program__patient=patient),
        "changed_at",
        "program_changes",
        lambda c: {"field": c.field, "old": c.old_value, "new": c.new_value, "by": c.changed_by_id, "at": c.changed_at},
    )
    _by_local_day(days, patient, ClinicalNote.objects.filter(patient=patient), "created_at", "notes",
                  lambda n: {"id": n.id, "author": n.author_id, "text": n.text})  # fmt: skip
    return {
        "patient": patient.id,
        "program": program.id if program else None,
        "from": date_from,
        "to": date_to,
        "days": list(days.values()),
    }


def _by_local_day(days, patient, rows, stamp: str, key: str, shape) -> None:
    """Put rows stamped with an instant on the patient-local day they happened."""
    first, last = min(days), max(days)
    tz = zone(patient.timezone)
    since = dt.datetime.combine(first - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    until = dt.datetime.combine(last + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC)
    for row in rows.filter(**{f"{stamp}__gte": since, f"{stamp}__lt": until}).order_by(stamp, "id"):
        day = getattr(row, stamp).astimezone(tz).date()
        if day in days:
            days[day][key].append(shape(row))
