"""Follow-up VISA-A at 6 and 12 months after the start (docs/clinical.md §11): stored due times swept by beat,
asked in the app, and a fall of 10 or more points from the week-12 score flagging the physio."""

import datetime as dt

import pytest
import time_machine

from notifications.aftercare import follow_ups_sweep
from notifications.models import Flag, FollowUp, Notification, OutcomeReview
from patients.models import VisaA

from .factories import ProgramFactory, visa_answers

pytestmark = pytest.mark.django_db
START = dt.date(2025, 12, 15)
SIX_MONTHS = dt.date(2026, 6, 15)  # 10:00 in Copenhagen (summer time) is 08:00 UTC


@pytest.fixture
def program(api, patient, physio):
    program = ProgramFactory(patient=patient, start_date=START)
    OutcomeReview.objects.create(program=program, baseline=50, outcome=85, review_due=False)
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        body = {"next_state": "discharged", "patient_note": "All done; we will ask again in June."}
        assert api(physio).post(f"/api/v1/programs/{program.id}/review/", body, format="json").status_code == 200
    return program


def test_the_decision_stores_the_due_times_in_the_patients_morning(program):
    rows = {f.months: (f.due_on, f.due_at) for f in FollowUp.objects.filter(program=program)}
    assert rows == {
        6: (SIX_MONTHS, dt.datetime(2026, 6, 15, 8, tzinfo=dt.UTC)),
        12: (dt.date(2026, 12, 15), dt.datetime(2026, 12, 15, 9, tzinfo=dt.UTC)),  # winter time: UTC+1
    }


def test_the_sweep_reminds_once_at_the_due_time(program, patient):
    follow_ups_sweep(now=dt.datetime(2026, 6, 15, 7, 59, tzinfo=dt.UTC))
    assert not Notification.objects.filter(dedupe_key__startswith="follow-up").exists()
    for minute in (0, 5):
        follow_ups_sweep(now=dt.datetime(2026, 6, 15, 8, minute, tzinfo=dt.UTC))
    [note] = Notification.objects.filter(dedupe_key__startswith="follow-up")
    assert note.user == patient.user and note.url == "/visa-a" and "VISA-A" not in note.push_text


@pytest.mark.parametrize(("day", "due"), [(SIX_MONTHS - dt.timedelta(days=1), None), (SIX_MONTHS, "follow_up"),
                                          (SIX_MONTHS + dt.timedelta(days=30), "follow_up"),
                                          (SIX_MONTHS + dt.timedelta(days=31), None)])  # fmt: skip
def test_the_app_asks_from_the_due_day_while_the_window_is_open(api, program, patient, day, due):
    with time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), tick=False):
        today = api(patient.user).get("/api/v1/today/").json()
    assert today["state"] == "discharged" and today["visa_a_due"] == due


@pytest.mark.parametrize(("score", "flagged"), [(75, True), (76, False)])
def test_a_fall_of_ten_points_from_week_twelve_flags_the_physio(api, program, patient, score, flagged):
    with time_machine.travel(dt.datetime(2026, 6, 20, 12, tzinfo=dt.UTC), tick=False):
        response = api(patient.user).post("/api/v1/visa-a/", {"answers": visa_answers(score)}, format="json")
        assert response.status_code == 201
        assert api(patient.user).get("/api/v1/today/").json()["visa_a_due"] == "follow_up"  # until judged
        for _ in range(2):
            follow_ups_sweep()
        assert api(patient.user).get("/api/v1/today/").json()["visa_a_due"] is None
    flags = list(Flag.objects.filter(kind="follow_up_decline"))
    assert len(flags) == int(flagged)
    if flagged:
        assert flags[0].level == "physio" and "10 points below the week-12 score 85" in flags[0].reason
    assert FollowUp.objects.get(months=6).score == score


def test_a_visa_a_before_the_due_day_does_not_answer_it(program, patient):
    VisaA.objects.create(patient=patient, date=SIX_MONTHS - dt.timedelta(days=1), answers=visa_answers(40))
    follow_ups_sweep(now=dt.datetime(2026, 6, 16, 12, tzinfo=dt.UTC))
    assert FollowUp.objects.get(months=6).judged_at is None and not Flag.objects.exists()


def test_the_command_runs_the_same_sweep_once(program):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("sweep_follow_ups", "--now", "2026-06-15T10:00:00+02:00", stdout=out)
    call_command("sweep_follow_ups", "--now", "2026-06-15T10:05:00+02:00", stdout=StringIO())
    assert "reminded or flagged: 1" in out.getvalue()
    assert Notification.objects.filter(dedupe_key__startswith="follow-up").count() == 1


def test_a_judged_outcome_stores_the_follow_ups_without_a_decision(patient):
    from notifications.escalation import evaluate

    program = ProgramFactory(patient=patient, start_date=START)
    VisaA.objects.create(patient=patient, date=dt.date(2026, 3, 6), answers=visa_answers(90))
    evaluate(now=dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC))
    assert sorted(FollowUp.objects.filter(program=program).values_list("months", flat=True)) == [6, 12]
    assert OutcomeReview.objects.get(program=program).decided_at is None
