"""A patient's record as CSV or as an HL7 FHIR R4 Bundle (R4B models of fhir.resources), streamed.

Rows are read with ``.iterator()`` and written as they come, so a large range never
sits in memory; each FHIR entry is validated by its fhir.resources model.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import uuid
from collections.abc import Iterator

from fhir.resources.R4B.bundle import BundleEntry

from exercises.aggregates import sets_by_day
from exercises.models import Program, SetLog
from exercises.protocols import PROTOCOLS
from notifications.models import Flag
from patients.models import CheckIn, Patient, VisaA

CSV_COLUMNS = [
    "record", "date", "exercise", "session", "reps", "load_kg", "pain",
    "morning_pain", "morning_stiffness_minutes", "red_flags", "visa_a_score", "visa_a_answers", "client_id",
]  # fmt: skip
SYSTEM = "urn:rehab-tracker"
UCUM = "http://unitsofmeasure.org"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _window(rows, date_from: dt.date | None, date_to: dt.date | None, field: str = "date"):
    if date_from:
        rows = rows.filter(**{f"{field}__gte": date_from})
    if date_to:
        rows = rows.filter(**{f"{field}__lte": date_to})
    return rows


def csv_rows(patient: Patient, date_from=None, date_to=None) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    empty = dict.fromkeys(CSV_COLUMNS, "")
    for log in _window(SetLog.objects.filter(patient=patient), date_from, date_to).order_by("date", "id").iterator():
        yield writer.writerow((empty | {
            "record": "set_log", "date": log.date, "exercise": log.exercise, "session": log.session or "",
            "reps": log.reps, "load_kg": log.load_kg, "pain": log.pain, "client_id": log.client_id,
        }).values())  # fmt: skip
    for checkin in _window(CheckIn.objects.filter(patient=patient), date_from, date_to).iterator():
        yield writer.writerow((empty | {
            "record": "check_in", "date": checkin.date, "morning_pain": checkin.morning_pain,
            "morning_stiffness_minutes": checkin.morning_stiffness_minutes, "red_flags": " ".join(checkin.red_flags),
        }).values())  # fmt: skip
    for visa in _window(VisaA.objects.filter(patient=patient), date_from, date_to).iterator():
        yield writer.writerow((empty | {
            "record": "visa_a", "date": visa.date, "visa_a_score": visa.score,
            "visa_a_answers": " ".join(map(str, visa.answers)),
        }).values())  # fmt: skip


def _entry(resource: dict) -> str:
    return BundleEntry.model_validate({"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": resource}).model_dump_json()


def _code(text: str, code: str | None = None) -> dict:
    concept = {"text": text}
    if code:
        concept["coding"] = [{"system": f"{SYSTEM}:code", "code": code, "display": text}]
    return concept


PROGRAM_STATUS = {"active": "active", "paused": "on-hold", "completed": "completed", "stopped": "revoked"}


def fhir_bundle(patient: Patient, date_from=None, date_to=None) -> Iterator[str]:
    subject = {"reference": f"Patient/{patient.id}"}
    stamp = json.dumps(dt.datetime.now(dt.UTC).isoformat())
    yield f'{{"resourceType":"Bundle","type":"collection","timestamp":{stamp},"entry":['

    yield _entry({
        "resourceType": "Patient", "id": str(patient.id),
        "identifier": [{"system": f"{SYSTEM}:patient", "value": str(patient.id)}],
    })  # fmt: skip
    for program in Program.objects.filter(patient=patient).order_by("start_date"):
        yield "," + _entry(_care_plan(program, subject))
    for date, sets in sets_by_day([patient.id], date_from, date_to).get(patient.id, {}).items():
        day = {"date": date, "sets": sets.sets, "reps": sets.reps, "load": sets.load_max, "pain": sets.pain_max}
        yield "," + _entry({
            "resourceType": "Observation", "status": "final", "subject": subject,
            "code": _code("Calf exercise sets logged in a day", "exercise-day"),
            "effectiveDateTime": day["date"].isoformat(),
            "component": [
                {"code": _code("Sets", "sets"), "valueInteger": day["sets"]},
                {"code": _code("Repetitions", "reps"), "valueInteger": day["reps"]},
                {"code": _code("Heaviest added load", "load"),
                 "valueQuantity": {"value": float(day["load"]), "unit": "kg", "system": UCUM, "code": "kg"}},
                {"code": _code("Worst pain during exercise (0-10)", "pain"), "valueInteger": day["pain"]},
            ],
        })  # fmt: skip
    for checkin in _window(CheckIn.objects.filter(patient=patient), date_from, date_to).iterator():
        yield "," + _entry({
            "resourceType": "Observation", "status": "final", "subject": subject,
            "code": _code("Morning Achilles pain (0-10)", "morning-pain"),
            "effectiveDateTime": checkin.date.isoformat(), "valueInteger": checkin.morning_pain,
            "component": [{"code": _code("Morning stiffness", "morning-stiffness"),
                           "valueQuantity": {"value": checkin.morning_stiffness_minutes, "unit": "min",
                                             "system": UCUM, "code": "min"}}],
        })  # fmt: skip
    for visa in _window(VisaA.objects.filter(patient=patient), date_from, date_to).iterator():
        items = [{"linkId": str(n), "answer": [{"valueInteger": a}]} for n, a in enumerate(visa.answers, start=1)]
        items.append({"linkId": "score", "text": "VISA-A total (0-100)", "answer": [{"valueInteger": visa.score}]})
        yield "," + _entry({
            "resourceType": "QuestionnaireResponse", "status": "completed", "subject": subject,
            "questionnaire": "http://rehab-tracker.invalid/Questionnaire/visa-a",
            "authored": visa.date.isoformat(), "item": items,
        })  # fmt: skip
    for flag in Flag.objects.open().filter(patient=patient):
        yield "," + _entry({
            "resourceType": "Flag", "status": "active", "subject": subject,
            "code": _code(flag.reason[:200], flag.kind), "period": {"start": flag.created_at.isoformat()},
        })  # fmt: skip
    yield "]}"


def _care_plan(program: Program, subject: dict) -> dict:
    spec = PROTOCOLS[program.protocol]
    activities = []
    for dose in spec.weeks[1]:
        sessions = "twice daily" if spec.daily else f"{spec.days_per_week} sessions a week"
        load = program.loads.get(dose.exercise)
        description = f"{dose.sets} x {dose.reps} {sessions} (week 1); {dose.tempo}"
        if load:
            description += f"; added load {load} kg"
        activities.append({"detail": {"status": "in-progress" if program.status == "active" else "on-hold",
                                      "code": _code(dose.exercise.replace("_", " "), dose.exercise),
                                      "description": description}})  # fmt: skip
    return {
        "resourceType": "CarePlan", "id": f"program-{program.id}", "status": PROGRAM_STATUS[program.status],
        "intent": "plan", "subject": subject, "title": f"{program.protocol} 12-week program",
        "period": {"start": program.start_date.isoformat(), "end": program.end_date.isoformat()},
        "activity": activities,
    }  # fmt: skip
