"""Programs: enrollment, one current program per patient, pause/resume/stop, prescription."""

import datetime as dt

import pytest
from django.db import IntegrityError

from exercises.models import Program

from .factories import ProgramFactory

NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_physio_enrolls_a_patient_with_a_back_dated_start(api, physio, patient):
    response = api(physio).post(
        "/api/v1/programs/", {"patient": patient.id, "protocol": "hsr", "start_date": "2026-03-02"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["end_date"] == "2026-05-24" and body["status"] == "active"
    assert {"id", "patient", "protocol", "start_date"} <= set(body)


def test_a_second_active_program_is_refused(api, physio, patient):
    ProgramFactory(patient=patient)
    response = api(physio).post(
        "/api/v1/programs/", {"patient": patient.id, "protocol": "alfredson", "start_date": "2026-03-12"}, format="json"
    )
    assert response.status_code == 400 and "patient" in response.json()


def test_the_database_keeps_one_current_program(patient):
    ProgramFactory(patient=patient, status="paused")
    with pytest.raises(IntegrityError):
        ProgramFactory(patient=patient)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"protocol": "yoga"}, "protocol"),
        ({"start_date": "2025-01-01"}, "start_date"),
        ({"start_date": "2030-01-01"}, "start_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"training_weekdays": [0, 2, 4]}, "training_weekdays"),  # Alfredson has none
        ({"loads": {"seated_calf_raise": 10}}, "loads"),
        ({"loads": {"eccentric_heel_drop_bent": -2}}, "loads"),
        ({"patient": 999999}, "patient"),
    ],
)
def test_bad_program_input_is_a_400(api, physio, patient, data, field):
    payload = {"patient": patient.id, "protocol": "alfredson", "start_date": "2026-03-02"} | data
    response = api(physio).post("/api/v1/programs/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Program.objects.count() == 0


def test_pause_resume_and_stop(api, physio, patient):
    program = ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    client = api(physio)
    url = f"/api/v1/programs/{program.id}/"
    assert client.patch(url, {"status": "paused"}, format="json").json()["status"] == "paused"
    rx = client.get(f"{url}prescription/?date=2026-03-10").json()
    assert rx["items"] == [] and rx["week"] == 2
    assert client.patch(url, {"status": "active"}, format="json").json()["status"] == "active"
    assert len(client.get(f"{url}prescription/?date=2026-03-10").json()["items"]) == 4  # paused and resumed today
    stopped = client.patch(url, {"status": "stopped"}, format="json").json()
    assert stopped["status"] == "stopped" and stopped["stopped_on"] == "2026-03-10"
    assert client.get(f"{url}prescription/?date=2026-03-09").json()["training_day"] is True
    assert client.get(f"{url}prescription/?date=2026-03-11").json()["items"] == []
    again = client.patch(url, {"status": "active"}, format="json")
    assert again.status_code == 400 and "status" in again.json()


def test_pause_over_days_then_resume(api, physio, patient, time_machine):
    program = ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    client = api(physio)
    client.patch(f"/api/v1/programs/{program.id}/", {"status": "paused"}, format="json")
    time_machine.move_to(NOW + dt.timedelta(days=3), tick=False)
    client.patch(f"/api/v1/programs/{program.id}/", {"status": "active"}, format="json")
    days = {d: client.get(f"/api/v1/programs/{program.id}/prescription/?date={d}").json()["training_day"]
            for d in ("2026-03-09", "2026-03-10", "2026-03-12", "2026-03-13")}  # fmt: skip
    assert days == {"2026-03-09": True, "2026-03-10": False, "2026-03-12": False, "2026-03-13": True}


def test_loads_and_hsr_weekdays(api, physio, patient):
    program = ProgramFactory(patient=patient, protocol="hsr", start_date=dt.date(2026, 3, 2))
    client = api(physio)
    url = f"/api/v1/programs/{program.id}/"
    body = client.patch(url, {"loads": {"seated_calf_raise": 40}, "training_weekdays": [1, 3, 5]}, format="json").json()
    assert body["loads"] == {"seated_calf_raise": 40.0} and body["training_weekdays"] == [1, 3, 5]
    rx = client.get(f"{url}prescription/?date=2026-03-10").json()  # a Tuesday
    assert rx["training_day"] and rx["items"][0]["load_kg"] == 40.0 and rx["items"][0]["sets"] == 3
    assert client.patch(url, {"training_weekdays": [1, 1, 5]}, format="json").status_code == 400


def test_prescription_bad_date_is_a_400(api, physio, patient):
    program = ProgramFactory(patient=patient)
    response = api(physio).get(f"/api/v1/programs/{program.id}/prescription/?date=2026-13-01")
    assert response.status_code == 400 and "date" in response.json()


def test_today_counts_logged_sets_per_item(api, patient):
    from .factories import SetLogFactory

    program = ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    SetLogFactory.create_batch(2, program=program, date=dt.date(2026, 3, 10), session="am")
    SetLogFactory.create_batch(5, program=program, date=dt.date(2026, 3, 10), session=None)
    body = api(patient.user).get("/api/v1/today/").json()
    assert body["date"] == "2026-03-10" and body["week"] == 2
    logged = {(i["exercise"], i["session"]): i["logged_sets"] for i in body["items"]}
    assert logged[("eccentric_heel_drop_straight", "am")] == 3  # 2 in the am + 1 without a session
    assert logged[("eccentric_heel_drop_straight", "pm")] == 3
    assert logged[("eccentric_heel_drop_bent", "am")] == 0
