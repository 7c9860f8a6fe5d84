"""The kept 7-day adherence that orders the caseload in SQL is exactly what adherence.py says."""

import datetime as dt
import random
import uuid

import pytest

from exercises.adherence import adherence_over_last_days
from exercises.models import AdherenceSummary, Program, ProgramPause, SetLog
from exercises.selectors import programs_for_patients
from exercises.services import setlog_record
from exercises.summaries import refresh_stale
from notifications.models import Flag

from .factories import PatientFactory, PhysioFactory, ProgramFactory

UTC = dt.UTC
pytestmark = pytest.mark.django_db
ZONES = ["Europe/Copenhagen", "America/New_York", "Asia/Kathmandu", "Pacific/Auckland", "UTC"]
EXERCISES = {"alfredson": ("eccentric_heel_drop_straight", "eccentric_heel_drop_bent"),
             "hsr": ("seated_calf_raise", "standing_calf_raise", "leg_press_calf_raise")}  # fmt: skip


def random_caseload(rng: random.Random, physio, count: int = 25) -> list[Program]:
    start = dt.date(2026, 3, 2)
    programs = []
    for n in range(count):
        protocol = rng.choice(["alfredson", "hsr"])
        side = rng.choice(["left", "right", "both"])
        patient = PatientFactory(physio=physio, timezone=ZONES[n % len(ZONES)], side=side)
        program = ProgramFactory(patient=patient, protocol=protocol, start_date=start + dt.timedelta(days=n % 5))
        if rng.random() < 0.3:
            first = program.start_date + dt.timedelta(days=rng.randint(3, 12))
            ProgramPause.objects.create(program=program, start_date=first, end_date=first + dt.timedelta(days=2))
            Program.objects.filter(pk=program.pk).update(end_date=program.end_date + dt.timedelta(days=3))
        rows = []
        for offset in range(24):
            day = program.start_date + dt.timedelta(days=offset)
            for _ in range(rng.randint(0, 14)):
                rows.append(SetLog(patient=patient, program=program, date=day, week=offset // 7 + 1,
                                   exercise=rng.choice(EXERCISES[protocol]), reps=rng.choice([5, 10, 12, 15, 20]),
                                   pain=rng.randint(0, 8), side=rng.choice(["left", "right"]),
                                   session=rng.choice(["am", "pm"]) if protocol == "alfredson" else None))  # fmt: skip
        SetLog.objects.bulk_create(rows)
        programs.append(program)
    return programs


def exact(programs: list[Program], now: dt.datetime, days: int = 7) -> dict[int, float | None]:
    loaded = list(programs_for_patients([p.patient_id for p in programs]))
    return {pid: a.overall for pid, a in adherence_over_last_days(loaded, now=now, windows=(days,))[days].items()}


def kept(days: int = 7) -> dict[int, float | None]:
    return dict(AdherenceSummary.objects.values_list("program_id", f"adherence_{days}d"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_figure_equals_adherence_py_on_random_data_across_local_midnights(seed):
    programs = random_caseload(random.Random(seed), PhysioFactory())
    for now in (dt.datetime(2026, 3, 20, 9, tzinfo=UTC), dt.datetime(2026, 3, 20, 12, 30, tzinfo=UTC),
                dt.datetime(2026, 3, 21, 0, 15, tzinfo=UTC), dt.datetime(2026, 3, 22, 23, 50, tzinfo=UTC)):  # fmt: skip
        refresh_stale(Program.objects.all(), now=now)
        assert kept(7) == exact(programs, now, 7)
        assert kept(28) == exact(programs, now, 28)


def test_a_new_set_log_expires_the_kept_figure(patient):
    now = dt.datetime(2026, 3, 10, 12, tzinfo=UTC)
    program = ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    refresh_stale(Program.objects.all(), now=now)
    assert kept() == {program.id: 0.0}
    data = {"client_id": uuid.uuid4(), "date": dt.date(2026, 3, 9), "exercise": "eccentric_heel_drop_straight",
            "reps": 15, "pain": 2, "session": "am", "side": "left", "program": program, "load_kg": 0}  # fmt: skip
    setlog_record(patient=patient, data=data)
    assert refresh_stale(Program.objects.all(), now=now) == 1
    assert kept() == exact([program], now) and kept()[program.id] > 0


def test_risk_order_is_cut_in_sql_page_by_page(api):
    physio = PhysioFactory()
    programs = random_caseload(random.Random(7), physio, count=12)
    red, physician = programs[3].patient, programs[8].patient
    Flag.objects.create(patient=red, kind="red_flag", level="physician", reason="x")
    Flag.objects.create(patient=physician, kind="pain", level="physician", reason="x")
    client = api(physio)
    ids = []
    for page in (1, 2, 3):
        body = client.get(f"/api/v1/patients/?ordering=risk&page_size=5&page={page}").json()
        ids += [row["id"] for row in body["results"]]
    expected_rest = sorted(
        (p.patient for p in programs if p.patient not in (red, physician)),
        key=lambda pt: (2.0 if (a := exact_for(pt)) is None else a, pt.id),
    )
    assert ids == [red.id, physician.id, *[pt.id for pt in expected_rest]]


def exact_for(patient) -> float | None:
    from django.utils import timezone

    program = Program.objects.get(patient=patient)
    return exact([program], timezone.now())[program.id]


def test_risk_ordering_queries_do_not_grow_with_the_caseload(api, django_assert_max_num_queries):
    small, large = PhysioFactory(), PhysioFactory()
    random_caseload(random.Random(1), small, count=3)
    random_caseload(random.Random(2), large, count=30)
    for physio in (small, large):
        api(physio).get("/api/v1/patients/?ordering=risk")  # first read: the kept figures are made
    with django_assert_max_num_queries(20) as few:
        api(small).get("/api/v1/patients/?ordering=risk&page_size=3")
    with django_assert_max_num_queries(len(few.captured_queries)):
        api(large).get("/api/v1/patients/?ordering=risk&page_size=3")
