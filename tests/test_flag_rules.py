"""Flag rules (docs/clinical.md §5, §9): escalation of every physio kind, clinical review, re-arming."""

import datetime as dt

import pytest

from notifications.escalation import evaluate
from notifications.models import Flag, Notification
from patients.models import CheckIn

from .factories import PatientFactory, ProgramFactory, full_days

UTC = dt.UTC
START = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 20, 12, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def program(time_machine):
    time_machine.move_to(NOW, tick=False)
    return ProgramFactory(start_date=START, patient=PatientFactory(timezone="UTC"))


@pytest.mark.parametrize("kind", ["non_adherence", "pain", "clinical_review", "missing_outcome"])
@pytest.mark.parametrize(("age_days", "escalated"), [(6, False), (7, True)])
def test_every_physio_flag_escalates_after_seven_days_unacknowledged(program, kind, age_days, escalated):
    full_days(program, START, NOW.date() - dt.timedelta(days=1))
    flag = Flag.objects.create(patient=program.patient, kind=kind, level="physio", reason="seen")
    Flag.objects.filter(pk=flag.pk).update(created_at=NOW - dt.timedelta(days=age_days))
    evaluate(now=NOW)
    flag.refresh_from_db()
    assert flag.level == ("physician" if escalated else "physio")
    physician_told = Notification.objects.filter(user=program.patient.physician).count()
    assert physician_told == (1 if escalated else 0)
    if escalated:
        assert "unacknowledged for 7 days" in flag.reason


@pytest.mark.parametrize(("stiff", "minutes", "flagged"), [(3, 31, True), (2, 45, False), (3, 30, False)])
def test_morning_stiffness_over_30_minutes_three_times_in_a_week(program, stiff, minutes, flagged):
    full_days(program, START, NOW.date() - dt.timedelta(days=1))
    for n in range(6):
        CheckIn.objects.create(patient=program.patient, date=NOW.date() - dt.timedelta(days=n), morning_pain=2,
                               morning_stiffness_minutes=minutes if n < stiff else 10)  # fmt: skip
    evaluate(now=NOW)
    found = list(Flag.objects.filter(kind="clinical_review"))
    assert bool(found) is flagged
    if flagged:
        assert found[0].level == "physio" and "3 check-ins in the last 7 days" in found[0].reason


def test_stiffness_eight_days_ago_is_outside_the_week(program):
    full_days(program, START, NOW.date() - dt.timedelta(days=1))
    for n in (0, 1, 7):
        CheckIn.objects.create(patient=program.patient, date=NOW.date() - dt.timedelta(days=n), morning_pain=2,
                               morning_stiffness_minutes=60)  # fmt: skip
    evaluate(now=NOW)
    assert not Flag.objects.filter(kind="clinical_review").exists()


class TestRearmOnNewEvidence:
    def raise_pain(self, program):
        full_days(program, START, dt.date(2026, 3, 16))
        full_days(program, dt.date(2026, 3, 17), dt.date(2026, 3, 19), pain=8)
        evaluate(now=NOW)
        flag = Flag.objects.get(kind="pain")
        Flag.objects.filter(pk=flag.pk).update(status="resolved", resolved_at=NOW, note="Lowered the load.")
        return flag

    def test_the_same_sessions_never_raise_it_again(self, program, time_machine):
        self.raise_pain(program)
        for days in (0, 1, 7, 8, 10):
            time_machine.move_to(NOW + dt.timedelta(days=days, hours=1), tick=False)
            evaluate()
        assert list(Flag.objects.filter(kind="pain").values_list("status", flat=True)) == ["resolved"]

    def test_new_painful_sessions_raise_it_at_once(self, program, time_machine):
        """Six sessions at 9/10 in the three days after the resolution: not silenced for a week."""
        self.raise_pain(program)
        time_machine.move_to(NOW + dt.timedelta(hours=1), tick=False)
        full_days(program, dt.date(2026, 3, 20), dt.date(2026, 3, 22), pain=9)
        time_machine.move_to(dt.datetime(2026, 3, 23, 6, tzinfo=UTC), tick=False)
        evaluate()
        assert sorted(Flag.objects.filter(kind="pain").values_list("status", flat=True)) == ["open", "resolved"]

    def test_non_adherence_judges_only_days_after_the_resolution(self, program, time_machine):
        full_days(program, START, dt.date(2026, 3, 16))  # then nothing from the 17th
        evaluate(now=NOW)
        flag = Flag.objects.get(kind="non_adherence")
        Flag.objects.filter(pk=flag.pk).update(status="resolved", resolved_at=NOW, note="Called: back on track.")
        full_days(program, dt.date(2026, 3, 21), dt.date(2026, 3, 23))  # three full days after the call
        for day in (21, 22, 23, 24):
            time_machine.move_to(dt.datetime(2026, 3, day, 12, tzinfo=UTC), tick=False)
            evaluate()
        assert Flag.objects.filter(kind="non_adherence").count() == 1  # the empty 17–19 are old news
        time_machine.move_to(dt.datetime(2026, 3, 27, 12, tzinfo=UTC), tick=False)  # 24–26 empty: new evidence
        evaluate()
        assert Flag.objects.filter(kind="non_adherence").exclude(status="resolved").count() == 1
