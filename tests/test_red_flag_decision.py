"""A red flag's decision reaches everyone (docs/clinical.md §8): the patient reads it on Today and in the inbox,
where it replaces the on-hold advice; the flag stays on the patient's page with its notes; the inbox lists it
under resolved."""

import datetime as dt

import pytest

from notifications.models import Flag, Notification

from .factories import PatientFactory, ProgramFactory

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
START = dt.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def flagged(api):
    patient = PatientFactory(timezone="UTC")
    ProgramFactory(patient=patient, start_date=START)
    body = {"morning_pain": 6, "morning_stiffness_minutes": 10, "red_flags": ["sudden_pop"]}
    assert api(patient.user).post("/api/v1/checkins/", body, format="json").status_code == 201
    return patient, Flag.objects.get(patient=patient, kind="red_flag")


def resolve(api, patient, flag, **body):
    return api(patient.physician).post(f"/api/v1/flags/{flag.id}/resolve/", body, format="json")


def test_resuming_tells_the_patient_on_today_and_in_the_inbox_replacing_the_advice(api, flagged):
    patient, flag = flagged
    assert api(patient.user).get("/api/v1/today/").json()["state"] == "red_flag"
    answer = resolve(api, patient, flag, note="Ultrasound: tendon intact.", outcome="resume",
                     patient_note="The scan showed no tear.")  # fmt: skip
    assert answer.status_code == 200, answer.content
    resolved = answer.json()
    assert (resolved["patient_note"], resolved["note"]) == ("The scan showed no tear.", "Ultrasound: tendon intact.")

    day = api(patient.user).get("/api/v1/today/").json()
    assert (day["state"], day["notice"], day["advice"]) == ("training", None, [])
    assert day["decision"]["outcome"] == "resume"
    assert day["decision"]["title"] == "You can start your exercises again"
    assert day["decision"]["text"].endswith("From your clinician: The scan showed no tear.")
    assert day["decision"]["note"] == "The scan showed no tear."
    assert "Ultrasound" not in day["decision"]["text"]  # the clinical note stays with the clinicians

    inbox = api(patient.user).get("/api/v1/notifications/").json()["results"]
    decision, advice = inbox[0], inbox[1]
    assert (decision["title"], decision["replaced_by"]) == ("You can start your exercises again", None)
    assert advice["title"] == "Your tendon may be torn" and advice["replaced_by"] == decision["id"]


@pytest.mark.parametrize(
    ("outcome", "state", "title"),
    [
        ("keep_paused", "paused", "Your exercises stay paused for now"),
        ("stop", "no_program", "Your exercise program has stopped"),
    ],
)
def test_keeping_paused_or_stopping_says_so_without_a_patient_note(api, flagged, outcome, state, title):
    patient, flag = flagged
    assert resolve(api, patient, flag, note="Seen in clinic.", outcome=outcome).status_code == 200
    day = api(patient.user).get("/api/v1/today/").json()
    assert (day["state"], day["decision"]["outcome"], day["decision"]["title"]) == (state, outcome, title)
    assert "From your clinician" not in day["decision"]["text"]
    assert Notification.objects.filter(user=patient.user, dedupe_key=f"red-flag-decision:{flag.id}").count() == 1


def test_the_decision_shows_for_two_weeks_then_today_is_plain_again(api, flagged, time_machine):
    patient, flag = flagged
    resolve(api, patient, flag, note="Fine.", outcome="resume")
    time_machine.move_to(NOW + dt.timedelta(days=13), tick=False)
    assert api(patient.user).get("/api/v1/today/").json()["decision"]["outcome"] == "resume"
    time_machine.move_to(NOW + dt.timedelta(days=15), tick=False)
    assert api(patient.user).get("/api/v1/today/").json()["decision"] is None


def test_a_new_red_flag_hides_the_old_decision(api, flagged, time_machine):
    patient, flag = flagged
    resolve(api, patient, flag, note="Fine.", outcome="resume")
    time_machine.move_to(NOW + dt.timedelta(days=1), tick=False)
    body = {"morning_pain": 6, "morning_stiffness_minutes": 10, "red_flags": ["fever"]}
    api(patient.user).post("/api/v1/checkins/", body, format="json")
    day = api(patient.user).get("/api/v1/today/").json()
    assert (day["state"], day["decision"]) == ("red_flag", None)


def test_a_patient_note_goes_only_with_a_red_flags_resolution(api, flagged):
    patient, flag = flagged
    answer = api(patient.physician).post(
        f"/api/v1/flags/{flag.id}/acknowledge/", {"note": "Calling.", "patient_note": "Hello"}, format="json"
    )
    assert answer.status_code == 400 and "patient_note" in answer.json()
    assert resolve(api, patient, flag, note="Fine.", outcome="resume", patient_note="x" * 2001).status_code == 400
    flag.refresh_from_db()
    assert (flag.status, flag.patient_note) == ("open", "")  # nothing half-saved
    assert not Notification.objects.filter(user=patient.user, dedupe_key__startswith="red-flag-decision").exists()


def test_resolved_flags_stay_listed_for_the_patients_page_and_the_resolved_inbox(api, flagged):
    patient, flag = flagged
    resolve(api, patient, flag, note="Ultrasound: intact.", outcome="resume", patient_note="No tear.")
    physio = api(patient.physio)
    assert physio.get("/api/v1/flags/", {"status": "unresolved", "patient": patient.id}).json()["results"] == []
    [row] = physio.get("/api/v1/flags/", {"status": "resolved", "patient": patient.id}).json()["results"]
    assert (row["id"], row["outcome"], row["note"]) == (flag.id, "resume", "Ultrasound: intact.")
    assert row["patient_note"] == "No tear."
    assert row["resolved_by"] == patient.physician_id
    [listed] = physio.get("/api/v1/flags/", {"patient": patient.id}).json()["results"]
    assert listed["status"] == "resolved"
