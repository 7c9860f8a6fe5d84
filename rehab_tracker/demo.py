"""Demo data for the README's start command, and bulk synthetic caseloads for bench/.

Demo logins are documented in README.md. The bulk path writes with bulk inserts
(PostgreSQL COPY for set logs) so 10,000 patients × 12 weeks take minutes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from collections.abc import Iterator

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from core.localtime import local_today
from exercises.models import NextStep, Program, SetLog
from exercises.protocols import PROTOCOLS, ProtocolSlug, is_training_day, prescription
from notifications.aftercare import outcome_review_decide
from notifications.deliveries import inline_delivery
from notifications.escalation import evaluate
from patients.clinics import default_clinic
from patients.models import CheckIn, Clinic, Membership, Patient, Role, Tendinopathy, User
from patients.services import clinician_create, membership_add, patient_create, patient_onboarding_seen, visa_a_create

DEMO_PASSWORD = "rehab-demo-2026"
COPY_ROWS = 500_000  # set logs a COPY statement in seed_bulk
DEMO_CLINICIANS = {"demo-physio": Role.PHYSIO, "demo-physician": Role.PHYSICIAN, "demo-admin": Role.ADMIN}
# The second demo clinic's team and patient (the first clinic's accounts see none of it; demo-admin, the
# organisation's admin, belongs to both).
SECOND_CLINICIANS = {"demo-harbour-physio": Role.PHYSIO, "demo-harbour-physician": Role.PHYSICIAN,
                     "demo-clinic-admin": Role.CLINIC_ADMIN}  # fmt: skip
SECOND_PATIENT = "demo-harbour"
FIRST_CLINIC = {
    "name": "City Tendon Clinic",
    "contact_phone": "+45 70 20 30 40",
    "opening_hours": "Mon–Fri 8:00–16:00",
    "red_flag_contact": "Outside opening hours call the emergency department on 1813.",
    "colour": "#0f766e",
}
SECOND_CLINIC = {
    "slug": "harbour",
    "name": "Harbour Physio",
    "contact_phone": "+45 33 44 55 66",
    "opening_hours": "Mon–Thu 7:30–18:00, Fri 7:30–14:00",
    "red_flag_contact": "Outside opening hours call 1813.",
    "colour": "#1d4ed8",
    "settings": {"PAIN_ABOVE": 4, "REMINDER_TIMES_ALFREDSON": ["07:30", "20:00"]},
}
# username → (protocol, tendinopathy, time zone, weeks ago started, share of sets done)
DEMO_PATIENTS = {
    "demo-alfredson": (ProtocolSlug.ALFREDSON, Tendinopathy.MIDPORTION, "Europe/Copenhagen", 4, 0.9),
    "demo-insertional": (ProtocolSlug.ALFREDSON_INSERTIONAL, Tendinopathy.INSERTIONAL, "America/New_York", 3, 0.75),
    "demo-hsr": (ProtocolSlug.HSR, Tendinopathy.MIDPORTION, "Europe/London", 5, 0.95),
    "demo-lapsing": (ProtocolSlug.ALFREDSON, Tendinopathy.MIDPORTION, "Asia/Kathmandu", 6, 0.35),
    # past week 12 (ended 8 days ago): an outcome VISA-A, and a review decided for maintenance
    "demo-after": (ProtocolSlug.ALFREDSON, Tendinopathy.MIDPORTION, "Europe/Copenhagen", 13, 0.9),
}
AFTER_OUTCOME = [9, 9, 9, 9, 9, 9, 4, 30]  # VISA-A 88: recovered (about 90, Iversen 2012)
AFTER_NOTE = (
    "Your VISA-A went from 49 to 88: the program worked. Keep the heel drops going twice a week for 12 more "
    "weeks at the load you ended on, and tell us if the pain comes back."
)


def demo_logins() -> list[tuple[str, str]]:
    first = [(name, str(role)) for name, role in DEMO_CLINICIANS.items()] + [(n, "patient") for n in DEMO_PATIENTS]
    return first + [(name, str(role)) for name, role in SECOND_CLINICIANS.items()] + [(SECOND_PATIENT, "patient")]


def demo_clinics() -> tuple[Clinic, Clinic]:
    """The two demo clinics: the install's first (renamed and given contact texts when it has none) and
    Harbour Physio."""
    first = default_clinic()
    if not first.contact_phone:
        for name, value in FIRST_CLINIC.items():
            setattr(first, name, value)
        first.save()
    second, _ = Clinic.objects.get_or_create(slug=SECOND_CLINIC["slug"], defaults=SECOND_CLINIC)
    return first, second


def seed_demo() -> bool:
    """Create the demo accounts and their history; False when they already exist."""
    if User.objects.filter(username="demo-physio").exists():
        return False
    with transaction.atomic():
        first, second = demo_clinics()
        users = {
            n: clinician_create(username=n, role=r, password=DEMO_PASSWORD, clinics=[first])
            for n, r in DEMO_CLINICIANS.items()
        }
        membership_add(user=users["demo-admin"], clinic=second)
        users |= {
            n: clinician_create(username=n, role=r, password=DEMO_PASSWORD, clinics=[second])
            for n, r in SECOND_CLINICIANS.items()
        }
        for index, (name, (protocol, kind, tz, weeks_ago, share)) in enumerate(DEMO_PATIENTS.items()):
            patient = patient_create(
                username=name,
                password=DEMO_PASSWORD,
                timezone=tz,
                side="left" if index % 2 else "right",
                tendinopathy=kind,
                physio=users["demo-physio"],
                physician=users["demo-physician"],
                clinic=first,
            )
            patient_onboarding_seen(patient=patient)  # weeks into their program: the introduction is in Learn
            today = local_today(tz)
            program = Program.objects.create(
                patient=patient,
                protocol=protocol,
                start_date=today - dt.timedelta(weeks=weeks_ago),
                created_by=users["demo-physio"],
            )
            rng = random.Random(index)
            SetLog.objects.bulk_create(_history(program, today, share, rng))
            if name == "demo-insertional":  # the last days hurt: above 5/10 (Silbernagel's limit)
                SetLog.objects.filter(program=program, date__gte=today - dt.timedelta(days=3)).update(pain=7)
            baseline = [5, 4, 6, 5, 6, 5, 4, 14]
            visa_a_create(patient=patient, date=program.start_date, answers=baseline, entered_by=users["demo-physio"])
            CheckIn.objects.bulk_create(
                CheckIn(patient=patient, date=today - dt.timedelta(days=d), morning_pain=rng.randint(1, 5),
                        morning_stiffness_minutes=rng.choice([5, 10, 15, 20]))
                for d in range(1, 8)
            )  # fmt: skip
            if name == "demo-after":
                visa_a_create(patient=patient, date=program.end_date - dt.timedelta(days=3), answers=AFTER_OUTCOME,
                              entered_by=users["demo-physio"])  # fmt: skip
        harbour = patient_create(
            username=SECOND_PATIENT,
            password=DEMO_PASSWORD,
            timezone="Europe/Copenhagen",
            side="right",
            tendinopathy=Tendinopathy.MIDPORTION,
            physio=users["demo-harbour-physio"],
            physician=users["demo-harbour-physician"],
            clinic=second,
        )
        today = local_today(harbour.timezone)
        program = Program.objects.create(
            patient=harbour,
            protocol=ProtocolSlug.ALFREDSON,
            start_date=today - dt.timedelta(weeks=2),
            created_by=users["demo-harbour-physio"],
        )
        patient_onboarding_seen(patient=harbour)
        SetLog.objects.bulk_create(_history(program, today, 0.85, random.Random(99)))
    with inline_delivery():
        evaluate()  # the ladder once, so the demo caseload shows its flags at once
        after = Program.objects.get(patient__user__username="demo-after")
        outcome_review_decide(
            program=after,
            decided_by=users["demo-physio"],
            next_state=NextStep.MAINTENANCE,
            patient_note=AFTER_NOTE,
            clinical_note="VISA-A 49 → 88; adherent. Maintenance.",
        )
    return True


def _history(program: Program, today: dt.date, share: float, rng: random.Random) -> Iterator[SetLog]:
    """Logged sets from the program start to yesterday: each prescribed set done with probability ``share``."""
    day = program.start_date
    while day < today:
        rx = prescription(program, day)
        session_done = {s: rng.random() < share for s in {i.session for i in rx.items}}
        for item in rx.items:
            if not session_done[item.session]:
                continue
            for _ in range(item.sets):
                yield SetLog(
                    patient_id=program.patient_id,
                    program=program,
                    date=day,
                    week=rx.week,
                    exercise=item.exercise,
                    reps=item.reps,
                    load_kg=rng.choice([0, 0, 5, 10]) if item.session else rng.choice([40, 50, 60]),
                    pain=min(10, max(0, int(rng.gauss(3, 1.5)))),
                    session=item.session,
                    side=program.patient.side,
                )
        day += dt.timedelta(days=1)


def seed_bulk(
    *,
    patients: int,
    weeks: int,
    per_physio: int = 300,
    seed: int = 1,
    zones: list[str] | None = None,
    protocols: list[str] | None = None,
    logs: bool = True,
) -> dict[str, int]:
    """``patients`` synthetic patients in week ``weeks`` of their programs, with logs up to yesterday; bulk inserts."""
    rng = random.Random(seed)
    tag = uuid.uuid4().hex[:8]
    password = make_password(DEMO_PASSWORD)
    clinic = default_clinic()
    physician = clinician_create(
        username=f"bulk-{tag}-physician", role=Role.PHYSICIAN, password=DEMO_PASSWORD, clinics=[clinic]
    )
    physio_count = max(1, -(-patients // per_physio))
    physios = User.objects.bulk_create(
        User(username=f"bulk-{tag}-physio-{k}", role=Role.PHYSIO, password=password) for k in range(physio_count)
    )
    Membership.objects.bulk_create(Membership(user=physio, clinic=clinic) for physio in physios)
    users = User.objects.bulk_create(
        (User(username=f"bulk-{tag}-{i}", role=Role.PATIENT, password=password) for i in range(patients)),
        batch_size=5000,
    )
    zones = zones or ["Europe/Copenhagen", "America/New_York", "Asia/Kathmandu", "Australia/Sydney", "UTC"]
    rows = Patient.objects.bulk_create(
        (
            Patient(
                user=u,
                clinic=clinic,
                timezone=zones[i % len(zones)],
                side="left",
                tendinopathy=Tendinopathy.MIDPORTION,
                physio=physios[i // per_physio],
                physician=physician,
            )
            for i, u in enumerate(users)
        ),
        batch_size=5000,
    )
    today = timezone.now().date()
    start = today - dt.timedelta(days=7 * weeks - 1)  # today is the last day of week ``weeks``
    protocols = protocols or [ProtocolSlug.ALFREDSON, ProtocolSlug.ALFREDSON, ProtocolSlug.HSR]
    programs = Program.objects.bulk_create(
        (
            Program(
                patient=p,
                protocol=protocols[i % len(protocols)],
                start_date=start,
                end_date=start + dt.timedelta(days=83),
            )
            for i, p in enumerate(rows)
        ),
        batch_size=5000,
    )
    count = _bulk_logs(programs, today, rng) if logs else 0
    return {"physios": physio_count, "patients": len(rows), "programs": len(programs), "set_logs": count}


def _bulk_logs(programs: list[Program], today: dt.date, rng: random.Random) -> int:
    """Synthetic set logs, streamed with COPY on PostgreSQL (bulk_create elsewhere), ``COPY_ROWS`` a statement:
    a hundred thousand patients' twelve weeks are about 48 million rows, more than fit in memory as a list."""
    rows = _bulk_log_rows(programs, today, rng)
    count = 0
    if connection.vendor == "postgresql":
        columns = (
            "client_id, patient_id, program_id, date, week, exercise, reps, load_kg, pain, session, side, created_at"
        )
        now = timezone.now()
        # Client ids count up from a random start (as a UUIDv7 leads with its time): the client-id lookup's
        # B-tree then grows at one edge, where random ids would touch a page of it for every row.
        first_id = uuid.uuid4().int & ~(2**64 - 1)
        while part := list(itertools.islice(rows, COPY_ROWS)):
            with connection.cursor() as cursor, cursor.copy(f"COPY exercises_setlog ({columns}) FROM STDIN") as copy:
                for n, row in enumerate(part, start=first_id + count):
                    copy.write_row((uuid.UUID(int=n), *row, now))
            count += len(part)
    else:
        fields = ("patient_id", "program_id", "date", "week", "exercise", "reps", "load_kg", "pain", "session", "side")
        while part := list(itertools.islice(rows, COPY_ROWS)):
            SetLog.objects.bulk_create((SetLog(**dict(zip(fields, row, strict=True))) for row in part), batch_size=5000)
            count += len(part)
    return count


def _bulk_log_rows(programs: list[Program], today: dt.date, rng: random.Random) -> Iterator[tuple]:
    for program in programs:
        share = rng.uniform(0.2, 1.0)
        spec = PROTOCOLS[program.protocol]
        day = program.start_date
        while day < today and day <= program.end_date:
            if is_training_day(program, day) and rng.random() < share:
                week = (day - program.start_date).days // 7 + 1  # bulk programs have no pauses
                for session in spec.sessions:
                    for dose in spec.weeks[week]:
                        for _ in range(dose.sets):
                            yield (program.patient_id, program.id, day, week, dose.exercise, dose.reps, 0,
                                   rng.randint(0, 7), session, "left")  # fmt: skip
            day += dt.timedelta(days=1)
