"""Check-ins and VISA-A (CLINICAL.md §5, §6)."""

import datetime as dt

import pytest

from patients.models import CheckIn, VisaA

NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_checkin_defaults_to_today_and_keeps_red_flags(api, patient):
    response = api(patient.user).post(
        "/api/v1/checkins/",
        {"morning_pain": 4, "morning_stiffness_minutes": 20, "red_flags": ["sudden_pop", "sudden_pop"]},
        format="json",
    )
    assert response.status_code == 201
    checkin = CheckIn.objects.get()
    assert (checkin.date, checkin.red_flags) == (dt.date(2026, 3, 10), ["sudden_pop"])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"morning_pain": 11}, "morning_pain"),
        ({"morning_stiffness_minutes": -5}, "morning_stiffness_minutes"),
        ({"red_flags": ["headache"]}, "red_flags"),
        ({"red_flags": "sudden_pop"}, "red_flags"),
        ({"date": "2026-03-11"}, "date"),
    ],
)
def test_bad_checkins_are_400(api, patient, data, field):
    payload = {"morning_pain": 2, "morning_stiffness_minutes": 10} | data
    response = api(patient.user).post("/api/v1/checkins/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("answers", "score"),
    [([10, 10, 10, 10, 10, 10, 10, 30], 100), ([0, 0, 0, 0, 0, 0, 0, 0], 0), ([5, 4, 6, 5, 6, 5, 4, 14], 49)],
)
def test_visa_a_scores_the_sum(api, patient, answers, score):
    response = api(patient.user).post("/api/v1/visa-a/", {"answers": answers}, format="json")
    assert response.status_code == 201
    assert response.json()["score"] == score and response.json()["date"] == "2026-03-10"


@pytest.mark.parametrize(
    "answers",
    [
        [10, 10, 10, 10, 10, 10, 5, 30],  # item 7 takes 0, 4, 7 or 10
        [11, 0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0, 31],
        [0, 0, 0, 0, 0, 0, 0],
        [0.5, 0, 0, 0, 0, 0, 0, 0],
        ["a", 0, 0, 0, 0, 0, 0, 0],
    ],
)
def test_visa_a_rejects_values_outside_each_items_range(api, patient, answers):
    response = api(patient.user).post("/api/v1/visa-a/", {"answers": answers}, format="json")
    assert response.status_code == 400 and "answers" in response.json()
    assert not VisaA.objects.exists()


def test_physio_enters_visa_a_for_a_caseload_patient(api, physio, patient):
    from .factories import PatientFactory

    body = {"patient": patient.id, "date": "2026-03-02", "answers": [5, 5, 5, 5, 5, 5, 4, 10]}
    response = api(physio).post("/api/v1/visa-a/", body, format="json")
    assert response.status_code == 201 and response.json()["score"] == 44
    assert VisaA.objects.get().entered_by == physio
    stranger = PatientFactory()
    outside = api(physio).post("/api/v1/visa-a/", body | {"patient": stranger.id}, format="json")
    assert outside.status_code == 400 and "patient" in outside.json()
    missing = api(physio).post("/api/v1/visa-a/", {"answers": body["answers"]}, format="json")
    assert missing.status_code == 400 and "patient" in missing.json()
    future = api(physio).post("/api/v1/visa-a/", body | {"date": "2026-03-11"}, format="json")
    assert future.status_code == 400 and "date" in future.json()


def test_visa_a_list_is_oldest_first(api, physio, patient):
    client = api(physio)
    for date in ("2026-03-09", "2026-03-01"):
        body = {"patient": patient.id, "date": date, "answers": [1] * 6 + [0, 0]}
        client.post("/api/v1/visa-a/", body, format="json")
    rows = client.get(f"/api/v1/visa-a/?patient={patient.id}").json()["results"]
    assert [r["date"] for r in rows] == ["2026-03-01", "2026-03-09"]
