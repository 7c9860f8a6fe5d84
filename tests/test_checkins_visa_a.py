"""Check-ins and VISA-A (docs/clinical.md §5, §6)."""

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


@pytest.mark.parametrize("path", ["/api/v1/checkins/", "/api/v1/visa-a/"])
@pytest.mark.parametrize(
    ("answered_at", "day"),
    [
        ("2026-03-09T22:59:00Z", "2026-03-09"),  # 23:59 in Copenhagen, sent the next day at noon: the evening's day
        ("2026-03-09T23:01:00Z", "2026-03-10"),  # 00:01 in Copenhagen: already the 10th
        ("2026-03-10T23:30:00Z", "2026-03-10"),  # the phone's clock ahead (the 11th for the patient): today, no 400
    ],
)
def test_an_entry_answered_offline_is_dated_by_the_patients_day_at_that_instant(api, patient, path, answered_at, day):
    patient.timezone = "Europe/Copenhagen"
    patient.save(update_fields=["timezone"])
    body = CHECKIN if path.endswith("checkins/") else VISA
    response = api(patient.user).post(path, body | {"answered_at": answered_at}, format="json")
    assert response.status_code == 201 and response.json()["date"] == day
    assert "answered_at" not in response.json()  # a way of dating, not stored


@pytest.mark.parametrize(
    ("answered_at", "day"),
    [
        ("2026-03-28T23:30:00Z", "2026-03-29"),  # 00:30 CET on the day the clocks go forward
        ("2026-03-29T22:30:00Z", "2026-03-30"),  # 00:30 CEST the next night: UTC+1 would have said the 29th
    ],
)
def test_answered_at_across_the_spring_daylight_saving_change(api, patient, time_machine, answered_at, day):
    time_machine.move_to(dt.datetime(2026, 3, 30, 12, tzinfo=dt.UTC), tick=False)
    patient.timezone = "Europe/Copenhagen"
    patient.save(update_fields=["timezone"])
    response = api(patient.user).post("/api/v1/checkins/", CHECKIN | {"answered_at": answered_at}, format="json")
    assert response.status_code == 201 and response.json()["date"] == day


@pytest.mark.parametrize(
    ("answered_at", "field"),
    [("2025-11-01T08:00:00Z", "date"), ("yesterday", "answered_at")],  # older than 90 days; not an instant
)
def test_bad_answered_at_is_400(api, patient, answered_at, field):
    response = api(patient.user).post("/api/v1/checkins/", CHECKIN | {"answered_at": answered_at}, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not CheckIn.objects.exists()


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


# Offline clients (the PWA's outbox) send a client_id and may send the same entry again after a lost answer.
CHECKIN = {"morning_pain": 3, "morning_stiffness_minutes": 15, "red_flags": ["fever"]}
VISA = {"answers": [5, 4, 6, 5, 6, 5, 4, 14], "item8_branch": "A"}


@pytest.mark.parametrize(("path", "body", "model"), [("/api/v1/checkins/", CHECKIN, CheckIn),
                                                     ("/api/v1/visa-a/", VISA, VisaA)])  # fmt: skip
def test_a_resent_entry_is_stored_once_and_a_reused_id_is_409(api, patient, path, body, model):
    client = api(patient.user)
    payload = body | {"client_id": "0b9e8f8a-3a5e-4a43-9d1e-3c1b0c0f0a01"}
    first = client.post(path, payload, format="json")
    again = client.post(path, payload, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and model.objects.count() == 1
    changed = payload | ({"morning_pain": 4} if model is CheckIn else {"answers": [5, 4, 6, 5, 6, 5, 4, 21]})
    conflict = client.post(path, changed, format="json")
    assert conflict.status_code == 409 and "client_id" in conflict.json()
    assert model.objects.count() == 1


def test_a_resent_red_flag_checkin_reports_once(api, patient):
    from notifications.models import Flag, Notification

    payload = CHECKIN | {"client_id": "0b9e8f8a-3a5e-4a43-9d1e-3c1b0c0f0a02"}
    for _ in range(3):
        api(patient.user).post("/api/v1/checkins/", payload, format="json")
    assert Flag.objects.filter(patient=patient, kind="red_flag").count() == 1
    assert Notification.objects.filter(flag__patient=patient).count() == 2  # physician and physio, once each


def test_another_patients_client_id_is_409_and_leaks_nothing(api, patient):
    from .factories import PatientFactory

    other = PatientFactory(physio=patient.physio, physician=patient.physician)
    payload = CHECKIN | {"client_id": "0b9e8f8a-3a5e-4a43-9d1e-3c1b0c0f0a03"}
    assert api(patient.user).post("/api/v1/checkins/", payload, format="json").status_code == 201
    answer = api(other.user).post("/api/v1/checkins/", payload, format="json")
    assert answer.status_code == 409 and "morning_pain" not in answer.json()
    assert CheckIn.objects.filter(patient=other).count() == 0


@pytest.mark.parametrize(
    ("previous", "today", "advised"),
    [
        ([(2, 10), (3, 10), (2, 15)], (9, 90), True),  # a bad morning: 9/10 and 90 minutes
        ([(2, 10), (3, 10), (2, 15)], (5, 10), True),  # pain up 2.7 points on the usual
        ([(2, 10), (3, 10), (2, 15)], (2, 30), True),  # stiffness up 18 minutes
        ([(2, 10), (3, 10), (2, 15)], (3, 20), False),  # within the usual
        ([], (6, 10), True),  # nothing to compare with: above 5/10 is too much
        ([], (5, 60), False),
    ],
)
def test_morning_pain_worse_than_usual_gets_advice_to_lower_the_load(db, api, previous, today, advised, time_machine):
    import datetime as dt

    from patients.models import CheckIn

    from .factories import PatientFactory

    time_machine.move_to(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC), tick=False)
    patient = PatientFactory(timezone="UTC")
    for back, (pain, minutes) in enumerate(previous, start=1):
        CheckIn.objects.create(patient=patient, date=dt.date(2026, 3, 20 - back), morning_pain=pain,
                               morning_stiffness_minutes=minutes)  # fmt: skip
    body = {"morning_pain": today[0], "morning_stiffness_minutes": today[1], "red_flags": []}
    answer = api(patient.user).post("/api/v1/checkins/", body, format="json")
    assert answer.status_code == 201
    advice = answer.json()["advice"]
    assert [a["kind"] for a in advice] == (["morning_worse"] if advised else [])
    if advised:
        assert "Lower the load today" in advice[0]["text"] and "no reason to stop" in advice[0]["text"]


def test_a_red_flag_answer_gets_only_the_advice_to_stop(db, api):
    from .factories import PatientFactory

    patient = PatientFactory(timezone="UTC")
    body = {"morning_pain": 9, "morning_stiffness_minutes": 90, "red_flags": ["fever"]}
    advice = api(patient.user).post("/api/v1/checkins/", body, format="json").json()["advice"]
    assert [a["kind"] for a in advice] == ["inflammation"]
