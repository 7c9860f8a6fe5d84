"""The ladder judges what was recorded when it reached the server, counts today's sessions, and closes what it
opened; the day and the kept figures follow the patient's calendar."""

import datetime as dt

import pytest

from exercises.adherence import adherence_for_programs
from exercises.models import PauseReason, ProgramPause, SetLog
from exercises.selectors import programs_for_patients
from notifications.escalation import evaluate
from notifications.models import Flag

from .factories import PatientFactory, ProgramFactory, full_days, visa_answers

UTC = dt.UTC
START = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 20, 12, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def program(time_machine):
    time_machine.move_to(NOW, tick=False)
    return ProgramFactory(start_date=START, patient=PatientFactory(timezone="UTC"))


def session(program, day, session, pain):
    SetLog.objects.create(patient=program.patient, program=program, date=day, week=program.week_on(day),
                          exercise="eccentric_heel_drop_straight", reps=15, pain=pain, session=session)  # fmt: skip


def test_the_third_painful_session_this_morning_raises_the_pain_flag_today(program):
    full_days(program, START, dt.date(2026, 3, 18))
    session(program, dt.date(2026, 3, 19), "am", 7)
    session(program, dt.date(2026, 3, 19), "pm", 8)
    session(program, dt.date(2026, 3, 20), "am", 7)  # today, logged: it counts
    evaluate(now=NOW)
    [flag] = Flag.objects.filter(kind="pain")
    assert "(7, 8, 7)" in flag.reason


def test_painful_sessions_recorded_after_a_resolution_count_whatever_their_date(program, time_machine):
    """A phone that syncs yesterday's and the day before's sets after the physio resolved the pain flag."""
    full_days(program, START, dt.date(2026, 3, 16))
    flag = Flag.objects.create(patient=program.patient, kind="pain", level="physio", reason="earlier")
    Flag.objects.filter(pk=flag.pk).update(status="resolved", resolved_at=NOW - dt.timedelta(hours=1))
    session(program, dt.date(2026, 3, 18), "am", 7)  # recorded now, after the resolution, dated before it
    session(program, dt.date(2026, 3, 18), "pm", 8)
    session(program, dt.date(2026, 3, 19), "am", 9)
    evaluate(now=NOW)
    [raised] = Flag.objects.filter(kind="pain").exclude(status="resolved")
    assert "(7, 8, 9)" in raised.reason


def test_hsr_sets_on_paused_days_count_toward_no_week(time_machine):
    """One rule for both protocols: a paused or held day credits nothing, as Alfredson's do."""
    time_machine.move_to(NOW, tick=False)
    program = ProgramFactory(start_date=START, protocol="hsr", patient=PatientFactory(timezone="UTC"))
    ProgramPause.objects.create(program=program, start_date=dt.date(2026, 3, 9), end_date=dt.date(2026, 3, 15),
                                reason=PauseReason.RED_FLAG)  # fmt: skip
    program.end_date += dt.timedelta(days=7)
    program.save()
    for exercise in ("seated_calf_raise", "standing_calf_raise", "leg_press_calf_raise"):
        SetLog.objects.bulk_create(
            SetLog(patient=program.patient, program=program, date=dt.date(2026, 3, 11), week=2, exercise=exercise,
                   reps=12, pain=2) for _ in range(3)
        )  # fmt: skip
    (loaded,) = programs_for_patients([program.patient_id])
    adherence = adherence_for_programs([loaded], now=NOW, date_from=dt.date(2026, 3, 9), date_to=dt.date(2026, 3, 15))
    figure = adherence[program.id]
    assert figure.completed_sets == 0 and figure.prescribed_sets == 0
    assert all(d.completed_sets == 0 for d in figure.days)


ENDED_START = dt.date(2025, 12, 15)  # ends 2026-03-08


def test_reviewing_a_late_outcome_resolves_the_missing_outcome_flag(time_machine):
    from patients.models import VisaA

    time_machine.move_to(dt.datetime(2026, 3, 15, 9, tzinfo=UTC), tick=False)
    program = ProgramFactory(start_date=ENDED_START, patient=PatientFactory(timezone="UTC"))
    VisaA.objects.create(patient=program.patient, date=dt.date(2025, 12, 16), answers=visa_answers(50))
    evaluate(now=dt.datetime(2026, 3, 15, 9, tzinfo=UTC))
    [missing] = Flag.objects.filter(kind="missing_outcome")
    assert missing.status == "open"
    VisaA.objects.create(patient=program.patient, date=dt.date(2026, 3, 8), answers=visa_answers(85))  # late entry
    evaluate(now=dt.datetime(2026, 3, 16, 9, tzinfo=UTC))
    missing.refresh_from_db()
    assert missing.status == "resolved" and "outcome VISA-A" in missing.note
    evaluate(now=dt.datetime(2026, 3, 24, 9, tzinfo=UTC))  # 8 days later: nothing left to escalate
    assert list(Flag.objects.exclude(status="resolved").values_list("kind", flat=True)) == []


@pytest.mark.parametrize(("days_after_end", "due"), [(3, "outcome"), (7, "outcome"), (8, None)])
def test_today_asks_for_the_outcome_until_its_window_closes(api, time_machine, days_after_end, due):
    program = ProgramFactory(start_date=ENDED_START, patient=PatientFactory(timezone="UTC"))
    time_machine.move_to(dt.datetime(2026, 3, 8 + days_after_end, 9, tzinfo=UTC), tick=False)
    evaluate()
    program.refresh_from_db()
    assert program.status == "completed"
    today = api(program.patient.user).get("/api/v1/today/").json()
    assert (today["state"], today["visa_a_due"]) == ("completed", due)


def test_a_new_time_zone_expires_the_kept_figures_at_once(api, time_machine):
    """The caseload's 7-day figure follows the patient's new calendar, not midnight in the old zone."""
    time_machine.move_to(dt.datetime(2026, 3, 20, 8, tzinfo=UTC), tick=False)
    program = ProgramFactory(start_date=START, patient=PatientFactory(timezone="Pacific/Kiritimati"))  # UTC+14
    physio = program.patient.physio
    # In Kiritimati it is already 20 March 22:00: the 13th to the 19th are the last 7 days, all done.
    full_days(program, dt.date(2026, 3, 13), dt.date(2026, 3, 19))
    [row] = api(physio).get("/api/v1/patients/").json()["results"]
    assert row["adherence_7d"] == 1.0
    changed = api(program.patient.user).patch("/api/v1/me/reminders/", {"timezone": "Pacific/Pago_Pago"},
                                              format="json")  # fmt: skip
    assert changed.status_code == 200, changed.content
    # In Pago Pago (UTC-11) it is 19 March 21:00: the last 7 finished days are the 12th to the 18th.
    (loaded,) = programs_for_patients([program.patient_id])
    expected = adherence_for_programs([loaded], last_days=7)[program.id].overall
    [row] = api(physio).get("/api/v1/patients/").json()["results"]
    assert row["adherence_7d"] == expected == round(6 / 7, 4)


@pytest.mark.parametrize(("days_in", "level"), [(4, "physio"), (13, "physio"), (15, "physician")])
def test_the_14_day_rule_waits_for_14_finished_days(time_machine, days_in, level):
    """Nothing logged since the start: the physio hears first; the physician once 14 days have been owed."""
    now = dt.datetime.combine(START + dt.timedelta(days=days_in), dt.time(12), tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    program = ProgramFactory(start_date=START, patient=PatientFactory(timezone="UTC"))
    evaluate(now=now)
    [flag] = Flag.objects.filter(patient=program.patient, kind="non_adherence")
    assert flag.level == level


def test_a_program_kept_paused_past_its_end_waits_and_the_physio_is_told(api, time_machine):
    from notifications.models import Notification

    time_machine.move_to(dt.datetime(2026, 1, 10, 9, tzinfo=UTC), tick=False)
    program = ProgramFactory(start_date=dt.date(2026, 1, 5), patient=PatientFactory(timezone="UTC"))
    physio = program.patient.physio
    assert api(physio).patch(f"/api/v1/programs/{program.id}/", {"status": "paused"}, format="json").status_code == 200
    told = []
    for day in (dt.date(2026, 2, 6), dt.date(2026, 2, 7), dt.date(2026, 3, 9), dt.date(2026, 4, 20)):
        time_machine.move_to(dt.datetime.combine(day, dt.time(9), tzinfo=UTC), tick=False)
        evaluate()
        evaluate()
        told.append(Notification.objects.filter(user=physio, dedupe_key__startswith="long-pause:").count())
    assert told == [0, 1, 2, 3]  # 27 days: not yet; 28 and 56 days; 100 days (the third interval)
    program.refresh_from_db()
    assert program.status == "paused"  # past its first end date (29 March), never completed by the pause
    assert api(program.patient.user).get("/api/v1/today/").json()["state"] == "paused"
    time_machine.move_to(dt.datetime(2026, 4, 21, 9, tzinfo=UTC), tick=False)
    assert api(physio).patch(f"/api/v1/programs/{program.id}/", {"status": "active"}, format="json").status_code == 200
    program.refresh_from_db()
    paused_days = (dt.date(2026, 4, 20) - dt.date(2026, 1, 10)).days + 1
    assert program.end_date == dt.date(2026, 3, 29) + dt.timedelta(days=paused_days)  # the days are made up
    assert api(program.patient.user).get("/api/v1/today/").json()["state"] == "training"


def test_the_other_leg_changes_the_side_from_a_date_and_leaves_the_weeks_before_as_they_were(api, program):
    """Two perfect weeks on the left stay perfect when the right tendon starts hurting on day 15."""
    full_days(program, START, dt.date(2026, 3, 15))
    physio = program.patient.physio
    before = api(physio).get(f"/api/v1/patients/{program.patient_id}/adherence/").json()["weeks"]
    changed = api(physio).post(f"/api/v1/patients/{program.patient_id}/side/",
                               {"side": "both", "effective_from": "2026-03-16"}, format="json")  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["side"] == "both"
    assert changed.json()["side_history"] == [{"side": "left", "until": "2026-03-15"}]
    after = api(physio).get(f"/api/v1/patients/{program.patient_id}/adherence/").json()["weeks"]
    assert [w["adherence"] for w in after[:2]] == [w["adherence"] for w in before[:2]] == [1.0, 1.0]
    assert after[2]["prescribed_sets"] == 4 * 24  # from the 16th each leg owes the full day: 4 finished days
    program.patient.refresh_from_db()  # the signed-in user's patient row, as a request loads it
    today = api(program.patient.user).get("/api/v1/today/").json()
    assert today["items"] and all("rise onto the toes on both legs" in i["note"] for i in today["items"])
    assert all(i["tempo"] == "slow lowering on one leg; rise on both legs" for i in today["items"])
    assert "logged_by_side" in today["items"][0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"side": "left"}, "side"),  # already
        ({"side": "right", "effective_from": "2026-03-21"}, "effective_from"),  # tomorrow
        ({"side": "right", "effective_from": "2026-02-01"}, "effective_from"),  # too far back
        ({"side": "sideways"}, "side"),
    ],
)
def test_a_side_change_that_cannot_be_is_a_400_and_changes_nothing(api, program, body, field):
    answer = api(program.patient.physio).post(f"/api/v1/patients/{program.patient_id}/side/", body, format="json")
    assert answer.status_code == 400 and field in answer.json()
    program.patient.refresh_from_db()
    assert (program.patient.side, program.patient.side_history) == ("left", [])


def test_another_physio_cannot_change_the_side(api, program):
    from .factories import PhysioFactory

    answer = api(PhysioFactory()).post(f"/api/v1/patients/{program.patient_id}/side/", {"side": "both"}, format="json")
    assert answer.status_code == 404
