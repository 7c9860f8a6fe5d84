"""Guards of the ladder that other rules can hide: each test here fails when its guard is removed alone."""

import datetime as dt

import pytest

from exercises.models import SetLog
from notifications.escalation import evaluate
from notifications.models import Flag, OutcomeReview
from patients.models import CheckIn, VisaA

from .factories import PatientFactory, ProgramFactory, visa_answers

UTC = dt.UTC
START = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 20, 12, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def test_a_red_flag_check_in_recorded_before_the_last_resolution_is_not_reported_again(time_machine):
    """It was decided on when the flag was resolved (escalation: ``checkin.created_at > done``)."""
    time_machine.move_to(NOW, tick=False)
    patient = PatientFactory(timezone="UTC")
    ProgramFactory(patient=patient, start_date=START)
    [old] = CheckIn.objects.bulk_create(
        [CheckIn(patient=patient, date=dt.date(2026, 3, 18), morning_pain=3, morning_stiffness_minutes=5,
                 red_flags=["fever"])]
    )  # fmt: skip
    CheckIn.objects.filter(pk=old.pk).update(created_at=NOW - dt.timedelta(days=2))
    Flag.objects.create(patient=patient, kind="red_flag", level="physician", reason="seen", status="resolved",
                        resolved_at=NOW - dt.timedelta(days=1), outcome="resume")  # fmt: skip
    evaluate(now=NOW)
    assert Flag.objects.filter(patient=patient, kind="red_flag").count() == 1
    assert not Flag.objects.filter(kind="red_flag").exclude(status="resolved").exists()


def test_no_other_rule_judges_a_patient_while_a_red_flag_is_open(time_machine):
    """An active program under an open red flag (enrolled after it was raised): no non-adherence flag."""
    time_machine.move_to(NOW, tick=False)
    patient = PatientFactory(timezone="UTC")
    Flag.objects.create(patient=patient, kind="red_flag", level="physician", reason="pop")
    ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 10))  # ten days, nothing logged
    evaluate(now=NOW)
    assert list(Flag.objects.values_list("kind", flat=True)) == ["red_flag"]


@pytest.mark.parametrize(("days_in", "flagged"), [(2, False), (3, True)])
def test_the_7_day_rule_waits_for_three_finished_days(time_machine, days_in, flagged):
    """Two empty finished days are too few to call anyone non-adherent; three are enough."""
    now = dt.datetime.combine(START + dt.timedelta(days=days_in), dt.time(12), tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    program = ProgramFactory(start_date=START, patient=PatientFactory(timezone="UTC"))
    evaluate(now=now)
    assert Flag.objects.filter(patient=program.patient, kind="non_adherence").exists() is flagged


ENDED = dt.date(2025, 12, 15)  # ends 2026-03-08


def _program_with_adherence(full_days: int):
    program = ProgramFactory(start_date=ENDED, patient=PatientFactory(timezone="UTC"))
    rows = []
    for n in range(full_days):
        day = ENDED + dt.timedelta(days=n)
        for session in ("am", "pm"):
            for exercise in ("eccentric_heel_drop_straight", "eccentric_heel_drop_bent"):
                rows += [SetLog(patient=program.patient, program=program, date=day, week=n // 7 + 1,
                                exercise=exercise, reps=15, pain=3, session=session) for _ in range(3)]  # fmt: skip
    SetLog.objects.bulk_create(rows)
    VisaA.objects.create(patient=program.patient, date=dt.date(2025, 12, 16), answers=visa_answers(50))
    VisaA.objects.create(patient=program.patient, date=dt.date(2026, 3, 5), answers=visa_answers(55))
    return program


@pytest.mark.parametrize(("full_days", "supervised"), [(59, True), (68, False)])  # 70% and 81% of 84 days
def test_the_treatment_review_puts_a_supervised_repeat_first_below_80_percent(time_machine, full_days, supervised):
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, tzinfo=UTC), tick=False)
    program = _program_with_adherence(full_days)
    evaluate()
    [review] = Flag.objects.filter(patient=program.patient, kind="treatment_review")
    assert ("supervised repeat of the loading program comes first" in review.reason) is supervised


def test_an_outcome_is_judged_once(time_machine, django_assert_max_num_queries):
    """A reviewed program is left out of the judgement: the next runs do not look at it again."""
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, tzinfo=UTC), tick=False)
    program = _program_with_adherence(59)
    evaluate()
    assert OutcomeReview.objects.filter(program=program).count() == 1
    evaluate()  # settles what the first run left (notifications already sent, nothing new)
    with django_assert_max_num_queries(15):
        evaluate()
    assert Flag.objects.filter(patient=program.patient, kind="treatment_review").count() == 1
