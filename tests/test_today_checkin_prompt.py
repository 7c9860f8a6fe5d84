"""Today says whether today's morning check-in is in (``checked_in``): the app asks for it until it is."""

import datetime as dt

import time_machine

from .factories import PatientFactory, ProgramFactory

NOW = dt.datetime(2026, 3, 10, 23, 30, tzinfo=dt.UTC)  # already 11 March in Copenhagen


@time_machine.travel(NOW, tick=False)
def test_checked_in_turns_true_with_the_check_in_of_the_patients_own_day(api, db):
    patient = PatientFactory(timezone="Europe/Copenhagen")
    ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    client = api(patient.user)
    assert client.get("/api/v1/today/").json()["checked_in"] is False
    yesterday = {"date": "2026-03-10", "morning_pain": 2, "morning_stiffness_minutes": 5, "red_flags": []}
    assert client.post("/api/v1/checkins/", yesterday).status_code == 201
    assert client.get("/api/v1/today/").json()["checked_in"] is False  # yesterday's does not count
    today = {"morning_pain": 2, "morning_stiffness_minutes": 5, "red_flags": []}
    assert client.post("/api/v1/checkins/", today).status_code == 201
    assert client.get("/api/v1/today/").json()["checked_in"] is True


def test_a_patient_without_a_program_reads_checked_in_false(api, patient):
    assert api(patient.user).get("/api/v1/today/").json()["checked_in"] is False
