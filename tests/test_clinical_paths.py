"""Clinical rules on every path: a red flag however it is entered, scores computed whoever types them."""

import datetime as dt

import pytest
from django.test import Client

from exercises.models import Program
from notifications.escalation import evaluate
from notifications.models import Flag, Notification
from patients.models import CheckIn, VisaA

from .factories import AdminFactory, PatientFactory, ProgramFactory

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
START = dt.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def program():
    return ProgramFactory(patient=PatientFactory(timezone="UTC"), start_date=START)


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(AdminFactory())
    return client


def _admin_checkin(client, patient, day: dt.date, answers: list[str]):
    body = {"patient": patient.id, "date": day.isoformat(), "morning_pain": 4, "morning_stiffness_minutes": 5,
            "red_flags": str(answers).replace("'", '"')}  # fmt: skip
    response = client.post("/admin/patients/checkin/add/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    return CheckIn.objects.get(patient=patient)


@pytest.mark.parametrize("days_back", [0, 20])
def test_a_red_flag_phoned_in_and_entered_in_the_admin_is_acted_on_at_once(admin_client, program, days_back):
    patient = program.patient
    _admin_checkin(admin_client, patient, NOW.date() - dt.timedelta(days=days_back), ["sudden_pop"])
    [flag] = Flag.objects.filter(patient=patient, kind="red_flag")
    assert (flag.level, flag.status) == ("physician", "open")
    assert Notification.objects.filter(user=patient.physician, flag=flag).count() == 1
    assert Notification.objects.filter(user=patient.user, dedupe_key__startswith="red-flag-advice:").count() == 1
    program.refresh_from_db()
    assert program.status == "paused"


def test_the_catch_up_finds_an_unreported_red_flag_by_when_it_was_recorded_not_its_date(program):
    """A check-in stored around the service (a bulk import) about a day 20 days back is reported at the next run."""
    patient = program.patient
    CheckIn.objects.bulk_create(
        [CheckIn(patient=patient, date=NOW.date() - dt.timedelta(days=20), morning_pain=3, morning_stiffness_minutes=5,
                 red_flags=["fever"])],
    )  # fmt: skip
    assert not Flag.objects.filter(patient=patient).exists()
    evaluate(now=NOW)
    [flag] = Flag.objects.filter(patient=patient, kind="red_flag")
    assert "fever" in flag.reason.lower()
    program.refresh_from_db()
    assert program.status == "paused"


def test_a_visa_a_entered_in_the_admin_keeps_the_sum_of_its_answers_not_a_typed_score(admin_client, program):
    body = {"patient": program.patient.id, "date": "2026-03-20", "answers": "[0, 0, 0, 0, 0, 0, 0, 0]",
            "item8_branch": "A", "score": 95}  # fmt: skip
    response = admin_client.post("/admin/patients/visaa/add/", body)
    assert response.status_code == 302, response.context["adminform"].form.errors
    visa = VisaA.objects.get(patient=program.patient)
    assert visa.score == 0
    visa.answers = [10, 10, 10, 10, 10, 10, 10, 30]
    visa.score = 1
    visa.save()
    visa.refresh_from_db()
    assert visa.score == 100


def test_the_admin_refuses_visa_a_answers_that_are_not_valid(admin_client, program):
    body = {"patient": program.patient.id, "date": "2026-03-20", "answers": "[0, 0, 0, 0, 0, 0, 5, 0]",
            "item8_branch": ""}  # fmt: skip
    response = admin_client.post("/admin/patients/visaa/add/", body)
    assert response.status_code == 200  # the form again, with the error
    assert "Item 7: must be one of 0, 4, 7, 10." in response.content.decode()
    assert not VisaA.objects.exists()
    assert Program.objects.count() == 1


def test_a_red_flag_from_a_patient_with_a_long_username_is_stored_and_reaches_the_physician(api):
    patient = PatientFactory(timezone="UTC", user__username="p" * 150)
    ProgramFactory(patient=patient, start_date=START)
    patient.physician.email = f"{'d' * 200}@example.org"  # a long e-mail address fits its delivery too
    patient.physician.save()
    response = api(patient.user).post(
        "/api/v1/checkins/",
        {"morning_pain": 2, "morning_stiffness_minutes": 5, "red_flags": ["sudden_pop"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    [told] = Notification.objects.filter(user=patient.physician)
    assert len(told.title) <= 120 and told.title.startswith("Red flag reported")
    assert told.deliveries.filter(channel="email", target=patient.physician.email).exists()


def test_one_patient_whose_evaluation_fails_does_not_stop_it_for_the_others(caplog):
    """A bad row (a time zone no zone database knows) fails that patient's evaluation alone."""
    broken = ProgramFactory(patient=PatientFactory(timezone="UTC"), start_date=START)
    fine = ProgramFactory(patient=PatientFactory(timezone="UTC"), start_date=START)  # no sets since the start
    from patients.models import Patient

    Patient.objects.filter(pk=broken.patient_id).update(timezone="Mars/Olympus_Mons")
    result = evaluate(now=NOW)
    assert result["failed"] == 1
    assert Flag.objects.filter(patient=fine.patient, kind="non_adherence").exists()
    assert not Flag.objects.filter(patient=broken.patient).exists()
    assert f"evaluation failed for patient {broken.patient_id}" in caplog.text
