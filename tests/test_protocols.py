"""The protocol tables against docs/clinical.md §2–§4, week by week."""

import datetime as dt

import pytest

from exercises.models import Program, ProgramPause
from exercises.protocols import PROTOCOLS, default_training_weekdays, prescription
from patients.models import Patient

START = dt.date(2026, 3, 2)  # a Monday


def program(protocol, weekdays=None, pauses=(), stopped_on=None, tendinopathy="midportion"):
    """An unsaved Program: ``pauses`` are (first, last) paused days; they move the end date (docs/clinical.md §7.3)."""
    paused_days = sum((last - first).days + 1 for first, last in pauses)
    made = Program(
        patient=Patient(tendinopathy=tendinopathy),
        protocol=protocol,
        start_date=START,
        end_date=START + dt.timedelta(days=83 + paused_days),
        training_weekdays=weekdays or [],
        stopped_on=stopped_on,
    )
    made.__dict__["pause_list"] = [ProgramPause(start_date=first, end_date=last) for first, last in pauses]
    return made


def day_of(week, weekday=0):
    return START + dt.timedelta(days=7 * (week - 1) + weekday)


@pytest.mark.parametrize("protocol", ["alfredson", "alfredson_insertional"])
@pytest.mark.parametrize("week", range(1, 13))
def test_alfredson_every_day_two_exercises_3x15_twice(protocol, week):
    for weekday in range(7):
        rx = prescription(program(protocol), day_of(week, weekday))
        assert rx.week == week and rx.training_day
        assert [(i.exercise, i.sets, i.reps, i.session) for i in rx.items] == [
            ("eccentric_heel_drop_straight", 3, 15, "am"),
            ("eccentric_heel_drop_bent", 3, 15, "am"),
            ("eccentric_heel_drop_straight", 3, 15, "pm"),
            ("eccentric_heel_drop_bent", 3, 15, "pm"),
        ]
        assert rx.total_sets == 12 and sum(i.sets * i.reps for i in rx.items) == 180
    assert PROTOCOLS[protocol].week_sets(week) == 84


def test_insertional_note_says_neutral_only():
    rx = prescription(program("alfredson_insertional"), START)
    assert all("neutral" in i.note and "flat floor" in i.note for i in rx.items)
    assert all("Off a step" in i.note for i in prescription(program("alfredson"), START).items)
    assert [i.note.split(".")[0] for i in rx.items[:2]] == ["Knee straight", "Knee bent"]


def test_hsr_notes_say_rm_and_flat_floor_for_insertional():
    """docs/clinical.md §3–§4: the RM target in the note; insertional patients work from a flat floor."""
    week9 = day_of(9, 0)
    midportion = prescription(program("hsr"), week9).items
    insertional = prescription(program("hsr", tendinopathy="insertional"), week9).items
    assert all("(6 RM)" in i.note and "flat floor" not in i.note for i in midportion)
    assert all("(6 RM)" in i.note and "flat floor" in i.note for i in insertional)


@pytest.mark.parametrize("week", [1, 4, 12])
def test_an_insertional_hsr_note_never_contradicts_the_flat_floor(week):
    """No step, no raise under the forefoot, no full range: only the flat floor, for every exercise."""
    items = prescription(program("hsr", tendinopathy="insertional"), day_of(week, 0)).items
    assert [i.exercise for i in items] == ["seated_calf_raise", "standing_calf_raise", "leg_press_calf_raise"]
    for item in items:
        note = item.note.lower()
        assert "flat floor" in note and "lower the heels only" in note
        assert "raise," not in note and "on a raise" not in note and "full range" not in note and "step" not in note


HSR_TABLE = {1: (3, 15), 2: (3, 12), 3: (3, 12), 4: (4, 10), 5: (4, 10), 6: (4, 8), 7: (4, 8), 8: (4, 8)}
HSR_TABLE |= {9: (4, 6), 10: (4, 6), 11: (4, 6), 12: (4, 6)}


@pytest.mark.parametrize("week", range(1, 13))
def test_hsr_weekly_dose_matches_beyer_2015(week):
    sets, reps = HSR_TABLE[week]
    rx = prescription(program("hsr"), day_of(week, 0))
    assert rx.training_day and rx.week == week
    assert [(i.exercise, i.sets, i.reps, i.session) for i in rx.items] == [
        ("seated_calf_raise", sets, reps, None),
        ("standing_calf_raise", sets, reps, None),
        ("leg_press_calf_raise", sets, reps, None),
    ]
    assert "3 s up, 3 s down" in rx.items[0].tempo
    assert PROTOCOLS["hsr"].week_sets(week) == 3 * 3 * sets


def test_hsr_default_weekdays_are_start_plus_two_and_four():
    assert default_training_weekdays(START) == [0, 2, 4]
    assert default_training_weekdays(dt.date(2026, 3, 7)) == [0, 2, 5]  # Saturday start: Sat, Mon, Wed
    days = [d for d in range(7) if prescription(program("hsr"), day_of(1, d)).training_day]
    assert days == [0, 2, 4]


def test_hsr_rest_days_and_custom_weekdays():
    rx = prescription(program("hsr"), day_of(1, 1))
    assert rx.week == 1 and not rx.training_day and rx.items == []
    custom = program("hsr", weekdays=[1, 3, 6])
    assert [d for d in range(7) if prescription(custom, day_of(2, d)).training_day] == [1, 3, 6]


def test_outside_the_program_prescribes_nothing():
    p = program("alfredson")
    before, after = START - dt.timedelta(days=1), START + dt.timedelta(days=84)
    assert prescription(p, before).items == [] and prescription(p, before).week is None
    assert prescription(p, after).items == [] and prescription(p, after).week is None
    assert prescription(p, START + dt.timedelta(days=83)).week == 12


def test_paused_and_stopped_days_prescribe_nothing():
    p = program("alfredson", pauses=[(day_of(2, 3), day_of(2, 3))], stopped_on=day_of(5, 0))
    assert prescription(p, day_of(2, 3)).items == []
    assert prescription(p, day_of(2, 4)).total_sets == 12
    assert prescription(p, day_of(4, 6)).total_sets == 12
    assert prescription(p, day_of(5, 0)).items == []


def test_a_pause_moves_the_end_and_the_week_counts_unpaused_days():
    """docs/clinical.md §7.3: an HSR patient paused over weeks 4–7 resumes in week 4 and still gets 12 weeks."""
    p = program("hsr", pauses=[(day_of(4, 0), day_of(7, 6))])  # 28 days paused
    assert prescription(p, day_of(3, 6)).week == 3
    assert prescription(p, day_of(5, 0)).items == [] and prescription(p, day_of(5, 0)).week == 4
    resumed = prescription(p, day_of(8, 0))
    assert resumed.week == 4 and [(i.sets, i.reps) for i in resumed.items] == [(4, 10)] * 3
    assert p.end_date == START + dt.timedelta(days=83 + 28)
    assert prescription(p, p.end_date).week == 12 and prescription(p, day_of(12, 0)).week == 8
    assert prescription(p, p.end_date + dt.timedelta(days=1)).week is None
