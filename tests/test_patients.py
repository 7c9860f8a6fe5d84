"""Patients: creation by a physio, the caseload with adherence and open flags."""

import datetime as dt

import pytest

from notifications.models import Flag
from patients.models import Patient

from .factories import PatientFactory, PhysicianFactory, ProgramFactory, SetLogFactory


def new_patient(doctor, **overrides):
    return {
        "username": "anna",
        "password": "calf-raise-2026",
        "timezone": "Europe/Copenhagen",
        "side": "left",
        "tendinopathy": "midportion",
        "physician": doctor.id,
    } | overrides


def test_physio_creates_a_patient_and_is_the_assigned_physio(api, physio, physician):
    response = api(physio).post("/api/v1/patients/", new_patient(physician), format="json")
    assert response.status_code == 201
    patient = Patient.objects.get(pk=response.json()["id"])
    assert (patient.physio, patient.physician, patient.user.role) == (physio, physician, "patient")
    assert patient.user.check_password("calf-raise-2026")
    token = api(None).post("/api/v1/auth/token/", {"username": "anna", "password": "calf-raise-2026"})
    assert token.status_code == 200 and {"access", "refresh"} <= set(token.json())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"side": "middle"}, "side"),
        ({"tendinopathy": "acute"}, "tendinopathy"),
        ({"password": "123"}, "password"),
        ({"username": "bad name!"}, "username"),
        ({"physician": 999999}, "physician"),
    ],
)
def test_bad_patient_input_is_a_400(api, physio, physician, overrides, field):
    response = api(physio).post("/api/v1/patients/", new_patient(physician, **overrides), format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Patient.objects.exists()


def test_username_taken_and_physio_as_physician(api, physio, physician, patient):
    taken = api(physio).post("/api/v1/patients/", new_patient(physician, username=patient.user.username), format="json")
    assert taken.status_code == 400 and "username" in taken.json()
    wrong = api(physio).post("/api/v1/patients/", new_patient(physician, physician=physio.id), format="json")
    assert wrong.status_code == 400 and "physician" in wrong.json()


def test_admin_must_name_the_physio(api, admin_user, physio, physician):
    missing = api(admin_user).post("/api/v1/patients/", new_patient(physician), format="json")
    assert missing.status_code == 400 and "physio" in missing.json()
    ok = api(admin_user).post("/api/v1/patients/", new_patient(physician, physio=physio.id), format="json")
    assert ok.status_code == 201 and ok.json()["physio"] == physio.id


def test_caseload_rows_carry_adherence_and_open_flags(api, physio, patient, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False)
    program = ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    SetLogFactory.create_batch(6, program=program, date=dt.date(2026, 3, 18))
    Flag.objects.create(patient=patient, kind="pain", level="physio", reason="x")
    Flag.objects.create(patient=patient, kind="non_adherence", level="physio", reason="x", status="resolved")
    PatientFactory()  # someone else's patient
    rows = api(physio).get("/api/v1/patients/").json()["results"]
    assert [r["id"] for r in rows] == [patient.id]
    assert rows[0]["adherence_7d"] == round(6 / 84, 4) and rows[0]["open_flags"] == 1
    assert rows[0]["active_program"]["id"] == program.id


def test_caseload_query_count_does_not_grow(api, physio, django_assert_max_num_queries, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False)
    physician = PhysicianFactory()

    def add(n):
        for _ in range(n):
            program = ProgramFactory(patient=PatientFactory(physio=physio, physician=physician))
            SetLogFactory(program=program, date=dt.date(2026, 3, 18))

    add(3)
    client = api(physio)
    with django_assert_max_num_queries(16) as small:
        assert len(client.get("/api/v1/patients/").json()["results"]) == 3
    add(60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get("/api/v1/patients/").json()["results"]) == 63


def test_patient_sees_only_self_and_detail_has_program(api, patient):
    program = ProgramFactory(patient=patient)
    other = PatientFactory()
    client = api(patient.user)
    assert [r["id"] for r in client.get("/api/v1/patients/").json()["results"]] == [patient.id]
    assert client.get(f"/api/v1/patients/{patient.id}/").json()["active_program"] == {
        "id": program.id,
        "protocol": "alfredson",
        "start_date": program.start_date.isoformat(),
        "end_date": program.end_date.isoformat(),
        "status": "active",
    }
    assert client.get(f"/api/v1/patients/{other.id}/").status_code == 404


def test_adherence_endpoint(api, physio, patient, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC), tick=False)
    program = ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    SetLogFactory.create_batch(3, program=program, date=dt.date(2026, 3, 2))
    body = api(physio).get(f"/api/v1/patients/{patient.id}/adherence/?from=2026-03-02&to=2026-03-05").json()
    assert body["overall"] == round(3 / 24, 4)
    assert [(d["date"], d["prescribed_sets"], d["completed_sets"], d["status"]) for d in body["days"]] == [
        ("2026-03-02", 12, 3, "finished"),
        ("2026-03-03", 12, 0, "finished"),
        ("2026-03-04", 12, 0, "in_progress"),
        ("2026-03-05", 12, 0, "upcoming"),
    ]
    assert body["weeks"] == [{"week": 1, "prescribed_sets": 24.0, "completed_sets": 3.0, "adherence": 0.125}]
    bad = api(physio).get(f"/api/v1/patients/{patient.id}/adherence/?from=2026-03-05&to=2026-03-01")
    assert bad.status_code == 400 and "from" in bad.json()
    assert api(physio).get(f"/api/v1/patients/{patient.id}/adherence/?from=soon").status_code == 400
