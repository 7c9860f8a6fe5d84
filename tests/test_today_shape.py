"""GET /today/ sends the day as built, unrendered: it must already be exactly what TodaySerializer (the schema the
app and /api/docs/ describe) makes of it, in every state and with every optional part present."""

import datetime as dt

import pytest
import time_machine
from rest_framework.renderers import JSONRenderer

from exercises.models import ProgramPause, SetLog
from patients.models import Patient
from rehab_tracker.today import TodaySerializer, day_of

from .conftest import client_for
from .factories import PatientFactory, ProgramFactory, SetLogFactory

pytestmark = pytest.mark.django_db
FRIDAY = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)  # week 3 of a program from Monday 2 March


def _training(patient: Patient) -> None:
    program = ProgramFactory(patient=patient, loads={"eccentric_heel_drop_straight": 5})
    SetLogFactory(program=program, date=FRIDAY.date(), session="am", pain=2)


def _both_legs(patient: Patient) -> None:
    patient.side = "both"
    patient.save()
    program = ProgramFactory(patient=patient, loads={"eccentric_heel_drop_straight": 7.5})
    SetLogFactory(program=program, date=FRIDAY.date(), session="am", side="right")


def _progression(patient: Patient) -> None:
    program = ProgramFactory(patient=patient)
    for days_ago in (1, 2):
        for session in ("am", "pm"):
            SetLogFactory(program=program, date=FRIDAY.date() - dt.timedelta(days=days_ago), session=session, pain=1)


def _hsr_with_suggested_loads(patient: Patient) -> None:
    program = ProgramFactory(patient=patient, protocol="hsr", training_weekdays=[0, 2, 4])
    SetLogFactory(program=program, date=dt.date(2026, 3, 2), week=1, exercise="seated_calf_raise", reps=15,
                  load_kg=20, session=None)  # fmt: skip


def _rest(patient: Patient) -> None:
    ProgramFactory(patient=patient, protocol="hsr", training_weekdays=[0, 2])


def _paused(patient: Patient) -> None:
    ProgramPause.objects.create(program=ProgramFactory(patient=patient), start_date=dt.date(2026, 3, 18))


def _red_flag(patient: Patient) -> None:
    ProgramFactory(patient=patient)
    body = {"morning_pain": 6, "morning_stiffness_minutes": 10, "red_flags": ["sudden_pop", "fever"]}
    assert client_for(patient.user).post("/api/v1/checkins/", body, format="json").status_code == 201


def _completed(patient: Patient) -> None:
    ProgramFactory(patient=patient, start_date=dt.date(2025, 11, 3))


def _decided(patient: Patient, next_state: str, **extra):
    from notifications.aftercare import outcome_review_decide

    program = ProgramFactory(patient=patient, start_date=dt.date(2025, 12, 1))  # ended 22 February
    outcome_review_decide(program=program, decided_by=patient.physio, next_state=next_state, patient_note="Note",
                          **extra)  # fmt: skip
    return program


def _maintenance(patient: Patient) -> None:
    program = _decided(patient, "maintenance")
    program.loads = {"eccentric_heel_drop_straight": 5}
    program.save()


def _running(patient: Patient) -> None:
    from exercises.models import RunLog
    from exercises.services import running_gate_save

    aftercare = _decided(patient, "return_to_running").aftercare
    items = dict.fromkeys(("pain_ok", "heel_raise_ok", "hopping_ok", "patient_ready"), True)
    running_gate_save(aftercare=aftercare, by=patient.physio, items=items, sign=True)
    RunLog.objects.create(aftercare=aftercare, patient=patient, date=dt.date(2026, 3, 18), step=1, minutes_run=2,
                          pain_during=6, pain_next_morning=1)  # fmt: skip
    RunLog.objects.create(aftercare=aftercare, patient=patient, date=dt.date(2026, 3, 19), step=1, minutes_run=2,
                          pain_during=2)  # fmt: skip


def _referred(patient: Patient) -> None:
    _decided(patient, "referred", referral="tenex", referral_note="Dr. Hansen")


def _follow_up_due(patient: Patient) -> None:
    from notifications.aftercare import outcome_review_decide

    program = ProgramFactory(patient=patient, start_date=dt.date(2025, 9, 20))  # 6 months on 20 March
    outcome_review_decide(program=program, decided_by=patient.physio, next_state="discharged", patient_note="Bye")


def _visa_a_due(patient: Patient) -> None:
    ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 19))


STATES = {
    "training": (_training, {"state": "training"}),
    "both legs": (_both_legs, {"state": "training"}),
    "progression": (_progression, {"state": "training"}),
    "hsr suggested loads": (_hsr_with_suggested_loads, {"state": "training"}),
    "rest": (_rest, {"state": "rest"}),
    "paused": (_paused, {"state": "paused"}),
    "red flag": (_red_flag, {"state": "red_flag"}),
    "completed": (_completed, {"state": "completed"}),
    "no program": (lambda patient: None, {"state": "no_program"}),
    "visa-a due": (_visa_a_due, {"visa_a_due": "baseline"}),
    "maintenance": (_maintenance, {"state": "maintenance", "training_day": True}),
    "return to running": (_running, {"state": "return_to_running"}),
    "referred": (_referred, {"state": "referred"}),
    "follow-up due": (_follow_up_due, {"state": "discharged", "visa_a_due": "follow_up"}),
}


def _day_after(setup) -> dict:
    with time_machine.travel(FRIDAY, tick=False):
        patient = PatientFactory(timezone="UTC")
        setup(patient)
        return day_of(Patient.objects.get(pk=patient.pk))


@pytest.mark.parametrize("make", STATES.values(), ids=STATES.keys())
def test_the_day_is_already_what_the_serializer_renders(make):
    setup, expected = make
    day = _day_after(setup)
    assert {key: day[key] for key in expected} == expected
    assert JSONRenderer().render(day) == JSONRenderer().render(TodaySerializer(day).data)


def test_the_optional_parts_are_exercised():
    """The states above carry each optional part at least once, or the comparison proves little."""
    seen: dict[str, bool] = {}
    for setup, _ in STATES.values():
        day = _day_after(setup)
        items = day["items"]
        seen["advice"] = seen.get("advice") or bool(day["advice"])
        seen["progression"] = seen.get("progression") or day["progression"] is not None
        seen["load"] = seen.get("load") or any(i["load_kg"] is not None for i in items)
        seen["suggested"] = seen.get("suggested") or any(i["suggested_load_kg"] is not None for i in items)
        seen["by side"] = seen.get("by side") or any("logged_by_side" in i for i in items)
        seen["logged"] = seen.get("logged") or any(i["logged_sets"] for i in items)
    assert seen == dict.fromkeys(seen, True) and len(seen) == 6
    assert SetLog.objects.exists()
