"""The escalation ladder (docs/clinical.md §9): each rule at its threshold and one step either side."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from exercises.models import SetLog
from notifications.escalation import evaluate
from notifications.models import Flag, Notification
from patients.models import CheckIn, VisaA

from .factories import PatientFactory, ProgramFactory, visa_answers

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=UTC)  # last 7 finished days: 13–19 March; 14: 6–19 March
START = dt.date(2026, 3, 2)


def d(day: int) -> dt.date:
    return dt.date(2026, 3, day)


ALFREDSON = ["eccentric_heel_drop_straight", "eccentric_heel_drop_bent"]


def log(program, date, sets, pain=2, exercises=ALFREDSON, session=None):
    """``sets`` logged sets: Alfredson fills the straight-knee sets (am, pm) before the bent-knee ones."""
    rows = []
    for n in range(sets):
        if len(exercises) == 3:
            exercise, chosen = exercises[n % 3], None
        else:
            exercise, chosen = exercises[(n // 6) % 2], session or ("am" if n % 6 < 3 else "pm")
        week = (date - program.start_date).days // 7 + 1
        rows.append(SetLog(patient=program.patient, program=program, date=date, week=week, exercise=exercise,
                           reps=15, pain=pain, session=chosen))  # fmt: skip
    SetLog.objects.bulk_create(rows)


def flags(patient, kind=None):
    rows = Flag.objects.filter(patient=patient)
    return list(rows.filter(kind=kind) if kind else rows)


@pytest.fixture
def program(db):
    return ProgramFactory(start_date=START, patient=PatientFactory(timezone="UTC"))


def full_fortnight(program, skip=()):
    for day in range(6, 20):
        if day not in skip:
            log(program, d(day), 12)


@pytest.mark.parametrize(("last_day_sets", "flagged"), [(7, False), (6, False), (5, True)])
def test_seven_day_adherence_below_half(program, last_day_sets, flagged):
    full_fortnight(program, skip=range(13, 20))
    for day in range(13, 19):
        log(program, d(day), 6)
    log(program, d(19), last_day_sets)  # 6 × 6 + this: 43, 42 (exactly 50%) or 41 of 84
    evaluate(now=NOW)
    found = flags(program.patient, "non_adherence")
    assert bool(found) is flagged
    if flagged:
        assert found[0].level == "physio" and found[0].reason == "7-day adherence 49% (41 of 84 sets)"


@pytest.mark.parametrize(("empty", "flagged"), [((17, 18), False), ((17, 18, 19), True)])
def test_consecutive_days_with_nothing(program, empty, flagged):
    full_fortnight(program, skip=empty)
    evaluate(now=NOW)
    found = flags(program.patient, "non_adherence")
    assert bool(found) is flagged
    if flagged:
        assert found[0].reason == "no sets on 3 consecutive days"


HSR = ["seated_calf_raise", "standing_calf_raise", "leg_press_calf_raise"]


@pytest.mark.parametrize(("week_two_sessions", "flagged"), [(3, False), (2, False), (1, True)])
def test_hsr_week_finished_with_fewer_than_two_sessions(db, week_two_sessions, flagged):
    program = ProgramFactory(start_date=START, protocol="hsr", patient=PatientFactory(timezone="UTC"))
    for day in (2, 4, 6, 16, 18):  # weeks 1 and 3 in full (Mon/Wed/Fri)
        log(program, d(day), 9, exercises=HSR)
    for day in (9, 11, 13)[:week_two_sessions]:
        log(program, d(day), 9, exercises=HSR)
    evaluate(now=NOW)
    found = flags(program.patient, "non_adherence")
    assert bool(found) is flagged
    if flagged:
        assert found[0].reason == "week 2 finished with 1 session(s)"


@pytest.mark.parametrize(
    ("age_days", "status", "escalated"), [(6, "open", False), (7, "open", True), (9, "acknowledged", False)]
)
def test_unacknowledged_physio_flag_escalates_after_seven_days(program, age_days, status, escalated):
    full_fortnight(program)
    flag = Flag.objects.create(
        patient=program.patient, kind="non_adherence", level="physio", reason="old", status=status
    )
    Flag.objects.filter(pk=flag.pk).update(created_at=NOW - dt.timedelta(days=age_days))
    evaluate(now=NOW)
    flag.refresh_from_db()
    assert (flag.level == "physician") is escalated
    if escalated:
        assert "unacknowledged for 7 days" in flag.reason
        assert set(Notification.objects.values_list("user_id", flat=True)) == {
            program.patient.physician_id,
            program.patient.physio_id,
        }


@pytest.mark.parametrize(("sets", "level"), [(43, "physio"), (42, "physio"), (41, "physician")])
def test_fourteen_day_adherence_below_a_quarter_goes_to_the_physician(program, sets, level):
    for n, day in enumerate(range(6, 20)):
        log(program, d(day), 3 + (1 if n < sets - 42 else 0) - (1 if n == 0 and sets < 42 else 0))
    assert SetLog.objects.count() == sets
    evaluate(now=NOW)
    [flag] = flags(program.patient, "non_adherence")
    assert flag.level == level
    if level == "physician":
        assert "14-day adherence 24% (41 of 168 sets)" in flag.reason


@pytest.mark.parametrize(("pains", "flagged"), [((6, 6, 5), False), ((6, 6, 6), True), ((9, 6), False)])
def test_exercise_pain_above_five_in_three_consecutive_sessions(program, pains, flagged):
    full_fortnight(program, skip=range(19 - len(pains), 20))
    for offset, pain in enumerate(pains):
        log(program, d(19 - len(pains) + 1 + offset), 6, pain=pain, session="am")
    evaluate(now=NOW)
    found = flags(program.patient, "pain")
    assert bool(found) is flagged
    if flagged:
        assert found[0].reason == "exercise pain above 5/10 in the last 3 sessions (6, 6, 6)"


@pytest.mark.parametrize(("this_week", "flagged"), [(4.9, False), (5.0, True)])
def test_morning_pain_up_two_points_week_on_week(program, this_week, flagged):
    full_fortnight(program)
    for day in range(6, 13):
        CheckIn.objects.create(patient=program.patient, date=d(day), morning_pain=3, morning_stiffness_minutes=10)
    pains = [5] * 7 if this_week == 5.0 else [5] * 6 + [4]
    for day, pain in zip(range(13, 20), pains, strict=True):
        CheckIn.objects.create(patient=program.patient, date=d(day), morning_pain=pain, morning_stiffness_minutes=10)
    evaluate(now=NOW)
    assert bool(flags(program.patient, "pain")) is flagged


def test_red_flag_check_in_goes_to_the_physician_at_once(
    api, program, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    patient = program.patient
    with django_capture_on_commit_callbacks(execute=True):
        response = api(patient.user).post(
            "/api/v1/checkins/",
            {"morning_pain": 7, "morning_stiffness_minutes": 40, "red_flags": ["sudden_pop"]},
            format="json",
        )
    assert response.status_code == 201
    [flag] = flags(patient, "red_flag")
    assert (flag.level, flag.status) == ("physician", "open") and "sudden pop" in flag.reason
    told = {n.user_id: n for n in Notification.objects.all()}
    assert set(told) == {patient.physician_id, patient.physio_id, patient.user_id}
    assert "Stop your exercises" in told[patient.user_id].body


def visa(patient, day, score):
    VisaA.objects.create(patient=patient, date=day, answers=visa_answers(score))


ENDED = dt.date(2025, 12, 15)  # ends 2026-03-08


@pytest.mark.parametrize(("baseline", "outcome", "flagged"), [(70, 80, False), (70, 79, True), (75, 84, True)])
def test_treatment_review_at_the_end_of_week_twelve(db, baseline, outcome, flagged):
    program = ProgramFactory(start_date=ENDED, patient=PatientFactory(timezone="UTC"))
    visa(program.patient, dt.date(2025, 12, 16), baseline)
    visa(program.patient, dt.date(2026, 3, 5), outcome)
    evaluate(now=NOW)
    program.refresh_from_db()
    assert program.status == "completed"
    found = flags(program.patient, "treatment_review")
    assert bool(found) is flagged
    if flagged:
        assert found[0].level == "physician"
        assert "never into the tendon" in found[0].reason and "Tenex" in found[0].reason
        assert f"VISA-A {baseline} → {outcome} ({outcome - baseline:+d} points" in found[0].reason


@pytest.mark.parametrize(("days_after_end", "flagged"), [(6, False), (7, True)])
def test_missing_outcome_asks_the_patient_then_flags_the_physio(db, days_after_end, flagged):
    program = ProgramFactory(start_date=ENDED, patient=PatientFactory(timezone="UTC"))
    visa(program.patient, dt.date(2025, 12, 16), 50)
    evaluate(now=dt.datetime(2026, 3, 9, 9, tzinfo=UTC))
    asked = Notification.objects.get(user=program.patient.user)
    assert asked.kind == "info" and "VISA-A" in asked.body
    evaluate(now=dt.datetime(2026, 3, 8 + days_after_end, 9, tzinfo=UTC))
    found = flags(program.patient, "missing_outcome")
    assert bool(found) is flagged
    if flagged:
        assert found[0].level == "physio"
    assert Notification.objects.filter(user=program.patient.user).count() == 1


def test_evaluating_twice_changes_nothing_the_second_time(program):
    full_fortnight(program, skip=(17, 18, 19))
    CheckIn.objects.create(patient=program.patient, date=d(19), morning_pain=8, morning_stiffness_minutes=60,
                           red_flags=["swelling_or_redness"])  # fmt: skip
    first = evaluate(now=NOW)
    snapshot = list(Flag.objects.values()), Notification.objects.count()
    second = evaluate(now=NOW)
    # The red flag holds the program: no non-adherence flag while it is open (docs/clinical.md §8.2).
    assert first["flags_raised"] == 1 and second["flags_raised"] == 0
    assert [f.kind for f in Flag.objects.all()] == ["red_flag"]
    assert (list(Flag.objects.values()), Notification.objects.count()) == snapshot


def test_a_resolved_flag_is_raised_again_only_on_new_evidence(program, physio):
    full_fortnight(program, skip=(17, 18, 19))
    evaluate(now=NOW)
    flag = Flag.objects.get(kind="non_adherence")
    Flag.objects.filter(pk=flag.pk).update(status="resolved", resolved_at=NOW)
    evaluate(now=NOW + dt.timedelta(days=1))
    assert Flag.objects.filter(kind="non_adherence").count() == 1
    evaluate(now=NOW + dt.timedelta(days=8))  # a week of nothing since the resolution
    assert Flag.objects.filter(kind="non_adherence").exclude(status="resolved").count() == 1


def test_command_runs_the_same_code(program):
    full_fortnight(program, skip=(17, 18, 19))
    out = StringIO()
    call_command("evaluate_patients", "--now", NOW.isoformat(), stdout=out)
    assert "flags_raised: 1" in out.getvalue()
    assert flags(program.patient, "non_adherence")
