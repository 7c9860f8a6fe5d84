"""After week 12 (docs/clinical.md §11): the outcome VISA-A window, the review's decision reaching the patient,
the next step on Today (maintenance, return to running, discharged, referred on)."""

import datetime as dt

import pytest
import time_machine

from exercises.models import AfterCare
from notifications.deliveries import email_message
from notifications.escalation import evaluate
from notifications.models import Notification, OutcomeReview
from patients.models import VisaA

from .factories import ProgramFactory, visa_answers

pytestmark = pytest.mark.django_db
START = dt.date(2025, 12, 15)  # Monday; ends Sunday 2026-03-08
END = dt.date(2026, 3, 8)


def at(day: dt.date, hour: int = 12):
    """Noon in Copenhagen on ``day`` (the patient's zone): local days matter, not UTC ones."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour - 1, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def program(patient):
    return ProgramFactory(patient=patient, start_date=START)


def today_of(api, patient):
    response = api(patient.user).get("/api/v1/today/")
    assert response.status_code == 200
    return response.json()


def decide(api, user, program, **body):
    body = {"next_state": "maintenance", "patient_note": "Keep going twice a week.", **body}
    return api(user).post(f"/api/v1/programs/{program.id}/review/", body, format="json")


class TestOutcomeWindow:
    @pytest.mark.parametrize(("day", "asked"), [(END - dt.timedelta(days=13), "outcome"), (END, "outcome"),
                                                (END + dt.timedelta(days=7), "outcome"),
                                                (END + dt.timedelta(days=8), None)])  # fmt: skip
    def test_the_outcome_visa_a_is_asked_until_seven_days_after_the_end(self, api, patient, program, day, asked):
        with at(day):
            assert today_of(api, patient)["visa_a_due"] == asked

    def test_after_the_end_and_before_the_review_the_patient_is_told_a_review_is_coming(self, api, patient, program):
        with at(END + dt.timedelta(days=2)):
            day = today_of(api, patient)
        assert day["state"] == "completed"
        assert day["after_week12"]["next_state"] is None and day["after_week12"]["patient_note"] == ""


class TestTheDecisionReachesThePatient:
    def test_the_patient_note_shows_on_today_and_arrives_as_a_notification(self, api, patient, program, physio):
        with at(END + dt.timedelta(days=1)):
            response = decide(api, physio, program, clinical_note="VISA-A 70 → 88; HSR next time?")
            assert response.status_code == 200, response.content
            day = today_of(api, patient)
        assert day["state"] == "maintenance"
        assert day["after_week12"]["patient_note"] == "Keep going twice a week."
        assert "VISA-A 70" not in str(day)  # the clinical note stays with the care team
        [note] = Notification.objects.filter(user=patient.user)
        assert note.body == "Keep going twice a week." and "twice" not in note.push_text
        mail = email_message(note)
        assert "twice" not in mail["body"] and patient.user.username not in mail["body"]
        review = OutcomeReview.objects.get(program=program)
        assert review.clinical_note.startswith("VISA-A 70") and review.decided_by == physio

    def test_a_decision_before_the_outcome_visa_a_is_still_judged_when_it_comes(self, api, patient, program, physio):
        with at(END - dt.timedelta(days=3)):
            assert decide(api, physio, program).status_code == 200
            VisaA.objects.create(patient=patient, date=END - dt.timedelta(days=3), answers=visa_answers(62))
        with at(END + dt.timedelta(days=1)):
            evaluate()
        review = OutcomeReview.objects.get(program=program)
        assert review.outcome == 62 and review.review_due and review.patient_note == "Keep going twice a week."

    def test_too_early_referred_without_a_step_and_out_of_scope_are_refused(self, api, patient, program, physio):
        from .factories import PhysioFactory

        with at(END - dt.timedelta(days=20)):
            assert decide(api, physio, program).status_code == 400
        with at(END + dt.timedelta(days=1)):
            assert decide(api, physio, program, next_state="referred").status_code == 400
            assert decide(api, PhysioFactory(), program).status_code == 404
            assert decide(api, patient.user, program).status_code == 403
        assert not AfterCare.objects.exists() and not Notification.objects.exists()


class TestTheNextStepOnToday:
    def test_maintenance_is_the_last_weeks_exercises_twice_a_week_at_the_last_load(self, api, patient, physio):
        program = ProgramFactory(patient=patient, start_date=START, loads={"eccentric_heel_drop_straight": 7.5})
        with at(END + dt.timedelta(days=1)):  # Monday 9 March: maintenance runs Mondays and Thursdays
            decide(api, physio, program)
            monday = today_of(api, patient)
        assert monday["state"] == "maintenance" and monday["training_day"] is True
        assert [(i["exercise"], i["sets"], i["reps"], i["load_kg"]) for i in monday["items"]] == [
            ("eccentric_heel_drop_straight", 3, 15, 7.5),
            ("eccentric_heel_drop_bent", 3, 15, None),
        ]
        assert monday["training_weekdays"] == [0, 3]
        with at(END + dt.timedelta(days=2)):
            assert today_of(api, patient)["items"] == []
        aftercare = AfterCare.objects.get()
        assert aftercare.ends_on == END + dt.timedelta(days=84)
        with at(aftercare.ends_on + dt.timedelta(days=1)):
            assert today_of(api, patient)["state"] == "completed"

    def test_maintenance_sets_are_logged_with_the_program_and_counted_on_today(self, api, patient, program, physio):
        from exercises.models import SetLog

        body = {"client_id": "1b0d4c52-8a63-4d55-a4b4-3a3b4c5d6e7f", "date": "2026-03-09", "reps": 15, "pain": 4,
                "exercise": "eccentric_heel_drop_bent"}  # fmt: skip
        with at(END + dt.timedelta(days=1)):
            assert api(patient.user).post("/api/v1/logs/", body, format="json").status_code == 400  # not decided
            decide(api, physio, program)
            assert api(patient.user).post("/api/v1/logs/", body, format="json").status_code == 201
            [bent] = [i for i in today_of(api, patient)["items"] if i["exercise"] == "eccentric_heel_drop_bent"]
        assert bent["logged_sets"] == 1
        assert SetLog.objects.get().program == program and SetLog.objects.get().week == 12

    def test_referred_on_names_the_pathways_next_step(self, api, patient, program, physio):
        with at(END + dt.timedelta(days=1)):
            response = decide(api, physio, program, next_state="referred", referral="injection",
                              referral_note="Ultrasound-guided, fat pad")  # fmt: skip
            assert response.status_code == 200
            day = today_of(api, patient)
        assert day["state"] == "referred" and day["items"] == []
        assert (day["after_week12"]["referral"], day["after_week12"]["referral_note"]) == (
            "injection", "Ultrasound-guided, fat pad")  # fmt: skip

    def test_discharged(self, api, patient, program, physio):
        with at(END + dt.timedelta(days=1)):
            decide(api, physio, program, next_state="discharged", referral="surgery")
            day = today_of(api, patient)
        assert day["state"] == "discharged" and day["after_week12"]["referral"] == ""


class TestRemindersAfterWeek12:
    """Maintenance reminds on its two days a week; discharged and referred patients get no exercise reminders."""

    @staticmethod
    def sent(now) -> list[str]:
        from notifications import reminders

        reminders.process(reminder_ids=reminders.sweep(now=now), now=now)
        return list(Notification.objects.filter(kind="reminder").values_list("body", flat=True))

    @pytest.mark.parametrize(("state", "day", "expected"), [
        ("maintenance", dt.date(2026, 3, 9), ["Time for this week's maintenance calf exercises."]),  # a Monday
        ("maintenance", dt.date(2026, 3, 10), []),
        ("discharged", dt.date(2026, 3, 9), []),
    ])  # fmt: skip
    def test_at_the_maintenance_schedule_only(self, api, patient, program, physio, state, day, expected):
        with at(END + dt.timedelta(days=1)):
            assert decide(api, physio, program, next_state=state).status_code == 200
        evening = dt.datetime.combine(day, dt.time(17, 0, 30), tzinfo=dt.UTC)  # 18:00 in Copenhagen (winter)
        assert self.sent(evening) == expected
