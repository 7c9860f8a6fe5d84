"""Adherence (docs/clinical.md §7): one definition, in the database, for one or many programs."""

import datetime as dt

import pytest
import time_machine

from exercises.adherence import adherence_for_programs
from exercises.models import ProgramPause
from exercises.selectors import programs_for_patients

from .factories import PatientFactory, ProgramFactory, SetLogFactory

START = dt.date(2026, 3, 2)  # Monday
pytestmark = pytest.mark.django_db


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def log_full_alfredson_day(program, date, extra_straight=0):
    for session in ("am", "pm"):
        for exercise in ("eccentric_heel_drop_straight", "eccentric_heel_drop_bent"):
            SetLogFactory.create_batch(3, program=program, date=date, exercise=exercise, session=session)
    SetLogFactory.create_batch(extra_straight, program=program, date=date, exercise="eccentric_heel_drop_straight")


def figures(program, **window):
    (loaded,) = [p for p in programs_for_patients([program.patient_id]) if p.pk == program.pk]
    return adherence_for_programs([loaded], **window)[program.id]


class TestAlfredson:
    @pytest.fixture(autouse=True)
    def _now(self, time_machine):
        time_machine.move_to(dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC), tick=False)  # Copenhagen 11:00, day 7

    def test_full_days_score_one_and_today_is_in_progress(self):
        program = ProgramFactory(start_date=START)
        for n in range(7):
            log_full_alfredson_day(program, day(n))
        result = figures(program)
        assert result.overall == 1.0
        assert (result.prescribed_sets, result.completed_sets) == (84, 84)
        assert result.days[7].date == day(7) and result.days[7].status == "in_progress"
        assert result.days[8].status == "upcoming"
        assert result.weeks[0].adherence == 1.0 and result.weeks[1].prescribed_sets == 0

    def test_today_never_lowers_the_score(self):
        program = ProgramFactory(start_date=START)
        log_full_alfredson_day(program, day(6))
        result = figures(program, date_from=day(6), date_to=day(7))
        assert result.overall == 1.0
        assert [(d.prescribed_sets, d.completed_sets) for d in result.days] == [(12, 12), (12, 0)]

    def test_extra_sets_are_capped_per_exercise(self):
        program = ProgramFactory(start_date=START)
        SetLogFactory.create_batch(10, program=program, date=day(0), exercise="eccentric_heel_drop_straight")
        result = figures(program, date_from=day(0), date_to=day(0))
        assert result.days[0].completed_sets == 6  # 2 sessions × 3 sets of that exercise
        assert result.overall == 0.5

    def test_last_seven_finished_days(self):
        program = ProgramFactory(start_date=START)
        for n in (0, 2, 4):
            log_full_alfredson_day(program, day(n), extra_straight=4)
        result = figures(program, last_days=7)
        assert (result.date_from, result.date_to) == (day(0), day(6))
        assert result.completed_sets == 36 and result.prescribed_sets == 84
        assert result.overall == round(36 / 84, 4)

    def test_paused_days_prescribe_nothing(self):
        program = ProgramFactory(start_date=START)
        ProgramPause.objects.create(program=program, start_date=day(2), end_date=day(5))
        for n in (0, 1, 6):
            log_full_alfredson_day(program, day(n))
        SetLogFactory(program=program, date=day(3))  # logged while paused: not prescribed, not counted
        result = figures(program, last_days=7)
        assert (result.prescribed_sets, result.completed_sets, result.overall) == (36, 36, 1.0)

    def test_program_not_started_has_no_score(self):
        program = ProgramFactory(start_date=day(30))
        assert figures(program, last_days=7).overall is None


class TestHeavySlowResistance:
    @pytest.fixture(autouse=True)
    def _now(self, time_machine):
        time_machine.move_to(dt.datetime(2026, 3, 12, 23, 30, tzinfo=dt.UTC), tick=False)  # Copenhagen Fri 00:30

    def test_a_week_half_over_owes_pro_rata_and_sets_count_any_day(self):
        program = ProgramFactory(start_date=START, protocol="hsr")
        # Week 1 (3×15): two full sessions, one on a rest day (Tuesday): sets count toward the week.
        for date in (day(0), day(1)):
            for exercise in ("seated_calf_raise", "standing_calf_raise", "leg_press_calf_raise"):
                SetLogFactory.create_batch(3, program=program, date=date, exercise=exercise, session=None)
        # Week 2 (3×12): Monday and Wednesday done; Thursday finished; today (Friday) in progress.
        for date in (day(7), day(9)):
            for exercise in ("seated_calf_raise", "standing_calf_raise", "leg_press_calf_raise"):
                SetLogFactory.create_batch(3, program=program, date=date, exercise=exercise, session=None)
        result = figures(program)
        week1, week2 = result.weeks[0], result.weeks[1]
        assert (week1.prescribed_sets, week1.completed_sets) == (27, 18)
        assert week2.prescribed_sets == round(27 * 4 / 7, 2)  # 4 of 7 days finished
        assert week2.completed_sets == week2.prescribed_sets  # 18 logged, capped at what is owed
        assert result.overall == round((18 + 15.43) / (27 + 15.43), 4)

    def test_sets_capped_per_exercise_at_the_weeks_prescription(self):
        program = ProgramFactory(start_date=START, protocol="hsr")
        SetLogFactory.create_batch(20, program=program, date=day(0), exercise="seated_calf_raise", session=None)
        result = figures(program, date_from=day(0), date_to=day(6))
        assert result.weeks[0].completed_sets == 9  # 3 sessions × 3 sets


def test_many_programs_in_a_constant_number_of_queries(django_assert_num_queries):
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False):
        programs = [ProgramFactory(start_date=START) for _ in range(3)]
        for program in programs:
            log_full_alfredson_day(program, day(15))
        few = list(programs_for_patients(p.patient_id for p in programs))
        with django_assert_num_queries(1):
            small = adherence_for_programs(few, last_days=7)
        many = [ProgramFactory(start_date=START) for _ in range(20)]
        loaded = list(programs_for_patients(p.patient_id for p in programs + many))
        with django_assert_num_queries(1):
            large = adherence_for_programs(loaded, last_days=7)
    assert small[programs[0].id].overall == round(12 / 84, 4)
    assert large[programs[0].id].overall == round(12 / 84, 4) and large[many[0].id].overall == 0


def test_finished_days_follow_each_patients_time_zone():
    # 2026-03-09 10:30 UTC: already the 10th in Kiritimati (+14), still the 8th in Pago Pago (−11).
    with time_machine.travel(dt.datetime(2026, 3, 9, 10, 30, tzinfo=dt.UTC), tick=False):
        east = ProgramFactory(start_date=START, patient=PatientFactory(timezone="Pacific/Kiritimati"))
        west = ProgramFactory(start_date=START, patient=PatientFactory(timezone="Pacific/Pago_Pago"))
        loaded = list(programs_for_patients([east.patient_id, west.patient_id]))
        result = adherence_for_programs(loaded, last_days=7)
    assert result[east.id].date_to == day(7)  # the 9th is over there
    assert result[west.id].date_to == day(5)  # the 8th is still in progress there
