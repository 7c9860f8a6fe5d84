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

from django.conf import settings
from fhir.resources.R4B.bundle import BundleEntry

from core.localtime import local_now
from exercises.aggregates import sets_by_day
from exercises.models import Program, RunLog, RunningGate, SetLog
from exercises.protocols import PROTOCOLS
from messaging.models import Message
from notifications.models import Flag
from patients.models import CheckIn, Patient, VisaA
from patients.selectors import patient_identity

CSV_COLUMNS = [
    "record", "date", "exercise", "session", "side", "reps", "load_kg", "pain", "morning_pain",
    "morning_stiffness_minutes", "red_flags", "visa_a_score", "visa_a_answers", "visa_a_item8_branch", "client_id",
    "message_at", "message_role", "message_text", "run_step", "minutes_run", "pain_next_morning", "gate_pain_ok",
    "gate_heel_raise_affected", "gate_heel_raise_other", "gate_heel_raise_ok", "gate_hopping_ok",
    "gate_patient_ready", "gate_note",
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
            "side": log.side, "reps": log.reps, "load_kg": log.load_kg, "pain": log.pain, "client_id": log.client_id,
        }).values())  # fmt: skip
    for checkin in _window(CheckIn.objects.filter(patient=patient), date_from, date_to).iterator():
        yield writer.writerow((empty | {
            "record": "check_in", "date": checkin.date, "morning_pain": checkin.morning_pain,
            "morning_stiffness_minutes": checkin.morning_stiffness_minutes, "red_flags": " ".join(checkin.red_flags),
        }).values())  # fmt: skip
    for visa in _window(VisaA.objects.filter(patient=patient), date_from, date_to).iterator():
        yield writer.writerow((empty | {
            "record": "visa_a", "date": visa.date, "visa_a_score": visa.score,
            "visa_a_answers": " ".join(map(str, visa.answers)), "visa_a_item8_branch": visa.item8_branch or "",
        }).values())  # fmt: skip
    for gate in _gates(patient, date_from, date_to):
        yield writer.writerow((empty | {
            "record": "running_gate", "date": local_now(patient.timezone, gate.signed_at).date(),
            "gate_pain_ok": gate.pain_ok, "gate_heel_raise_affected": _blank(gate.heel_raise_affected),
            "gate_heel_raise_other": _blank(gate.heel_raise_other), "gate_heel_raise_ok": gate.heel_raise_ok,
            "gate_hopping_ok": gate.hopping_ok, "gate_patient_ready": gate.patient_ready,
            "gate_note": _cell(gate.note),
        }).values())  # fmt: skip
    for run in _window(RunLog.objects.filter(patient=patient), date_from, date_to).order_by("date", "id").iterator():
        yield writer.writerow((empty | {
            "record": "run", "date": run.date, "run_step": run.step, "minutes_run": run.minutes_run,
            "pain": run.pain_during, "pain_next_morning": _blank(run.pain_next_morning), "client_id": run.client_id,
        }).values())  # fmt: skip
    for message in _messages(patient, date_from, date_to):
        yield writer.writerow((empty | {
            "record": "message", "date": local_now(patient.timezone, message.created_at).date(),
            "message_at": message.created_at.isoformat(), "message_role": message.role,
            "message_text": _cell(message.body),
            "client_id": message.client_id,
        }).values())  # fmt: skip


def _blank(value) -> object:
    return "" if value is None else value


def _local_window(rows, patient: Patient, field: str, date_from: dt.date | None, date_to: dt.date | None):
    """``_window`` for a timestamp ``field``: the days' bounds in the patient's zone (patient-local dates)."""
    zone = local_now(patient.timezone).tzinfo
    if date_from:
        rows = rows.filter(**{f"{field}__gte": dt.datetime.combine(date_from, dt.time(), zone)})
    if date_to:
        rows = rows.filter(**{f"{field}__lt": dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), zone)})
    return rows


def _gates(patient: Patient, date_from: dt.date | None, date_to: dt.date | None):
    """The signed return-to-running gate (a draft is not a decision yet), by the patient-local date it was signed."""
    rows = RunningGate.objects.filter(aftercare__program__patient=patient, signed_at__isnull=False)
    return _local_window(rows, patient, "signed_at", date_from, date_to).order_by("signed_at")


def _cell(text: str) -> str:
    """Free text a spreadsheet will not run as a formula (CSV injection): a leading = + - @ is quoted."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _messages(patient: Patient, date_from: dt.date | None, date_to: dt.date | None):
    """The conversation, by patient-local date (a day's bounds in the patient's zone)."""
    rows = Message.objects.filter(patient=patient).order_by("created_at", "id")
    return _local_window(rows, patient, "created_at", date_from, date_to).iterator()


# Every resource's fullUrl is a UUID derived from its type and row (the same on every export), and every
# reference inside the Bundle is that fullUrl: FHIR resolves a reference in a Bundle by matching fullUrl.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, SYSTEM)
# Codes. Standard ones only where a published source names them; the rest are this project's own
# (system ``urn:rehab-tracker:code``, documented in the README).
LOINC, SNOMED = "http://loinc.org", "http://snomed.info/sct"
# LOINC 72514-3 "Pain severity - 0-10 verbal numeric rating [Score] - Reported" (https://loinc.org/72514-3/).
PAIN_0_10 = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
# SNOMED CT 11654001 "Achilles tendinitis (disorder)" (SNOMED CT International browser, concept 11654001).
ACHILLES_TENDINITIS = {"system": SNOMED, "code": "11654001", "display": "Achilles tendinitis (disorder)"}
# SNOMED CT laterality qualifiers: 7771000 Left, 24028007 Right, 51440002 Right and left (qualifier values).
LATERALITY = {
    "left": {"system": SNOMED, "code": "7771000", "display": "Left"},
    "right": {"system": SNOMED, "code": "24028007", "display": "Right"},
    "both": {"system": SNOMED, "code": "51440002", "display": "Right and left"},
}
# FHIR R4 observation-category (https://hl7.org/fhir/R4/codesystem-observation-category.html): "activity" for
# exercise (as the Physical Activity IG does), "survey" for what the patient reports in a check-in.
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACTIVITY = [{"coding": [{"system": CATEGORY, "code": "activity", "display": "Activity"}]}]
SURVEY = [{"coding": [{"system": CATEGORY, "code": "survey", "display": "Survey"}]}]
VISA_A_QUESTIONNAIRE = "http://rehab-tracker.invalid/Questionnaire/visa-a"  # no LOINC or published canonical
FLAG_LABELS = {
    "non_adherence": "Low adherence", "pain": "Pain above the limit", "red_flag": "Red-flag answer",
    "clinical_review": "Clinical review (morning stiffness)", "treatment_review": "Treatment review",
    "missing_outcome": "Missing VISA-A outcome", "follow_up_decline": "Follow-up VISA-A fallen",
}  # fmt: skip


def full_url(resource_type: str, resource_id: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{resource_type}/{resource_id}')}"


def _ref(resource_type: str, resource_id: str) -> dict:
    return {"reference": full_url(resource_type, resource_id)}


def _entry(resource: dict) -> str:
    url = full_url(resource["resourceType"], resource["id"])
    return BundleEntry.model_validate({"fullUrl": url, "resource": resource}).model_dump_json()


def _code(text: str, code: str | None = None) -> dict:
    concept = {"text": text}
    if code:
        concept["coding"] = [{"system": f"{SYSTEM}:code", "code": code, "display": text}]
    return concept


PROGRAM_STATUS = {"active": "active", "paused": "on-hold", "completed": "completed", "stopped": "revoked"}


def fhir_bundle(patient: Patient, date_from=None, date_to=None) -> Iterator[str]:
    patient_id, condition_id = f"patient-{patient.id}", f"condition-{patient.id}"
    subject = _ref("Patient", patient_id)
    stamp = json.dumps(dt.datetime.now(dt.UTC).isoformat())
    yield f'{{"resourceType":"Bundle","type":"collection","timestamp":{stamp},"entry":['

    yield _entry(_patient_resource(patient, patient_id))
    yield "," + _entry({
        "resourceType": "Condition", "id": condition_id, "subject": subject,
        "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                       "code": "active"}]},
        "code": {"coding": [ACHILLES_TENDINITIS], "text": f"Achilles tendinopathy ({patient.tendinopathy})"},
        "bodySite": [{"coding": [LATERALITY[patient.side]], "text": f"Achilles tendon, {patient.side}"}],
    })  # fmt: skip
    programs = list(Program.objects.filter(patient=patient).order_by("start_date"))
    for program in programs:
        yield "," + _entry(_care_plan(program, subject, _ref("Condition", condition_id)))
    for date, sets in sets_by_day([patient.id], date_from, date_to).get(patient.id, {}).items():
        day = {"date": date, "sets": sets.sets, "reps": sets.reps, "load": sets.load_max, "pain": sets.pain_max}
        plan = next((p for p in programs if p.start_date <= date <= p.end_date), None)
        yield "," + _entry({
            "resourceType": "Observation", "id": f"exercise-day-{patient.id}-{date.isoformat()}",
            "status": "final", "category": ACTIVITY, "subject": subject,
            **({"basedOn": [_ref("CarePlan", f"program-{plan.id}")]} if plan else {}),
            "code": _code("Calf exercise sets logged in a day", "exercise-day"),
            "effectiveDateTime": day["date"].isoformat(),
            "component": [
                {"code": _code("Sets", "sets"), "valueInteger": day["sets"]},
                {"code": _code("Repetitions", "reps"), "valueInteger": day["reps"]},
                {"code": _code("Heaviest added load", "load"),
                 "valueQuantity": {"value": float(day["load"]), "unit": "kg", "system": UCUM, "code": "kg"}},
                {"code": {"coding": [PAIN_0_10], "text": "Worst pain during exercise (0-10)"},
                 "valueInteger": day["pain"]},
            ],
        })  # fmt: skip
    for checkin in _window(CheckIn.objects.filter(patient=patient), date_from, date_to).iterator():
        yield "," + _entry({
            "resourceType": "Observation", "id": f"checkin-{checkin.id}", "status": "final", "category": SURVEY,
            "subject": subject, "code": {"coding": [PAIN_0_10], "text": "Morning Achilles pain (0-10)"},
            "effectiveDateTime": checkin.date.isoformat(), "valueInteger": checkin.morning_pain,
            "component": [{"code": _code("Morning stiffness", "morning-stiffness"),
                           "valueQuantity": {"value": checkin.morning_stiffness_minutes, "unit": "min",
                                             "system": UCUM, "code": "min"}}],
        })  # fmt: skip
    for visa in _window(VisaA.objects.filter(patient=patient), date_from, date_to).iterator():
        items = [{"linkId": str(n), "answer": [{"valueInteger": a}]} for n, a in enumerate(visa.answers, start=1)]
        if visa.item8_branch:
            items.append({"linkId": "8-branch", "text": "Item 8 branch (A, B or C)",
                          "answer": [{"valueString": visa.item8_branch}]})  # fmt: skip
        items.append({"linkId": "score", "text": "VISA-A total (0-100)", "answer": [{"valueInteger": visa.score}]})
        yield "," + _entry({
            "resourceType": "QuestionnaireResponse", "id": f"visa-a-{visa.id}", "status": "completed",
            "subject": subject, "questionnaire": VISA_A_QUESTIONNAIRE, "authored": visa.date.isoformat(),
            "item": items,
        })  # fmt: skip
    for flag in Flag.objects.open().filter(patient=patient):
        code = _code(FLAG_LABELS.get(flag.kind, flag.kind), flag.kind) | {"text": flag.reason[:200]}
        yield "," + _entry({
            "resourceType": "Flag", "id": f"flag-{flag.id}", "status": "active", "subject": subject,
            "code": code, "period": {"start": flag.created_at.isoformat()},
        })  # fmt: skip
    for gate in _gates(patient, date_from, date_to):
        yield "," + _entry({
            "resourceType": "Observation", "id": f"running-gate-{gate.id}", "status": "final", "category": ACTIVITY,
            "subject": subject, "code": _code("Return-to-running criteria, signed by the physio", "running-gate"),
            "effectiveDateTime": gate.signed_at.isoformat(),
            **({"note": [{"text": gate.note}]} if gate.note else {}),
            "component": [
                {"code": _code("Pain 2/10 or less walking and at rest", "gate-pain"), "valueBoolean": gate.pain_ok},
                *({"code": _code(label, code), "valueInteger": count} for label, code, count in (
                    ("Single-leg heel raises, affected side", "heel-raises-affected", gate.heel_raise_affected),
                    ("Single-leg heel raises, other side", "heel-raises-other", gate.heel_raise_other),
                ) if count is not None),
                {"code": _code("Heel raises, affected at least 90 % of the other side", "gate-heel-raises"),
                 "valueBoolean": gate.heel_raise_ok},
                {"code": _code("Hopping without pain above 2/10", "gate-hopping"), "valueBoolean": gate.hopping_ok},
                {"code": _code("The patient feels ready", "gate-ready"), "valueBoolean": gate.patient_ready},
            ],
        })  # fmt: skip
    for run in _window(RunLog.objects.filter(patient=patient), date_from, date_to).order_by("date", "id").iterator():
        morning = [{"code": {"coding": [PAIN_0_10], "text": "Achilles pain the next morning (0-10)"},
                    "valueInteger": run.pain_next_morning}] if run.pain_next_morning is not None else []  # fmt: skip
        yield "," + _entry({
            "resourceType": "Observation", "id": f"run-{run.id}", "status": "final", "category": ACTIVITY,
            "subject": subject, "code": _code("Return-to-running session", "run-session"),
            "effectiveDateTime": run.date.isoformat(),
            "component": [
                {"code": _code("Walk-run progression step", "run-step"), "valueInteger": run.step},
                {"code": _code("Minutes run", "minutes-run"),
                 "valueQuantity": {"value": run.minutes_run, "unit": "min", "system": UCUM, "code": "min"}},
                {"code": {"coding": [PAIN_0_10], "text": "Achilles pain during the run (0-10)"},
                 "valueInteger": run.pain_during},
                *morning,
            ],
        })  # fmt: skip
    for message in _messages(patient, date_from, date_to):
        yield "," + _entry({
            "resourceType": "Communication", "id": f"message-{message.id}", "status": "completed",
            "subject": subject, "sent": message.created_at.isoformat(), "sender": {"display": message.role},
            "payload": [{"contentString": message.body}],
        })  # fmt: skip
    yield "]}"


# HL7 v2 table 0203 identifier type "MR" (medical record number), for the clinic's own record number.
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"


def _patient_resource(patient: Patient, patient_id: str) -> dict:
    """FHIR Patient: this system's id, the clinic's record number, name, birth date, e-mail and mobile (blank
    fields are left out: FHIR allows no empty strings)."""
    who = patient_identity(patient=patient)
    identifiers = [{"system": f"{SYSTEM}:patient", "value": str(patient.id)}]
    if who["record_number"]:
        identifiers.append({
            "use": "usual", "system": settings.RECORD_NUMBER_SYSTEM, "value": who["record_number"],
            "type": {"coding": [{"system": IDENTIFIER_TYPE, "code": "MR", "display": "Medical record number"}]},
        })  # fmt: skip
    resource = {"resourceType": "Patient", "id": patient_id, "identifier": identifiers}
    if who["first_name"] or who["last_name"]:
        name = {"use": "official", "text": who["display_name"]}
        if who["last_name"]:
            name["family"] = who["last_name"]
        if who["first_name"]:
            name["given"] = who["first_name"].split()
        resource["name"] = [name]
    telecom = []
    if who["email"]:
        telecom.append({"system": "email", "value": who["email"]})
    if who["phone"]:
        telecom.append({"system": "phone", "value": who["phone"], "use": "mobile"})
    if telecom:
        resource["telecom"] = telecom
    if who["birth_date"]:
        resource["birthDate"] = who["birth_date"].isoformat()
    return resource


def _care_plan(program: Program, subject: dict, condition: dict) -> dict:
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
        "intent": "plan", "subject": subject, "addresses": [condition], "title": f"{program.protocol} 12-week program",
        "period": {"start": program.start_date.isoformat(), "end": program.end_date.isoformat()},
        "activity": activities,
    }  # fmt: skip
