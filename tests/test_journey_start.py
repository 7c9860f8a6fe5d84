"""The first days (docs/clinical.md §4, §10): the introduction seen once per account, Today's week and what
changes next week, HSR's find-your-RM first stage, and the outcome VISA-A's "your physio will review"."""

import datetime as dt

import pytest
import time_machine

from exercises.models import SetLog

from .factories import PatientFactory, ProgramFactory, SetLogFactory

START = dt.date(2026, 3, 2)  # a Monday
pytestmark = pytest.mark.django_db


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def today_of(api, program, day: dt.date) -> dict:
    with time_machine.travel(noon(day), tick=False):
        return api(program.patient.user).get("/api/v1/today/").json()


def test_onboarding_is_seen_once_per_account_and_kept_from_the_first_time(api):
    patient = PatientFactory()
    assert api(patient.user).get("/api/v1/me/").json()["onboarded_at"] is None
    with time_machine.travel(noon(START), tick=False):
        first = api(patient.user).post("/api/v1/me/onboarding/")
    with time_machine.travel(noon(START + dt.timedelta(days=3)), tick=False):
        again = api(patient.user).post("/api/v1/me/onboarding/")  # another phone, or a retry
    assert first.status_code == again.status_code == 200
    assert first.json()["onboarded_at"] == again.json()["onboarded_at"] == "2026-03-02T12:00:00Z"
    assert api(patient.user).get("/api/v1/me/").json()["onboarded_at"] == "2026-03-02T12:00:00Z"
    assert api(patient.physio).post("/api/v1/me/onboarding/").status_code == 403
    assert api(patient.physio).get("/api/v1/me/").json()["onboarded_at"] is None


@pytest.mark.parametrize(
    ("protocol", "day", "where"),
    [
        ("hsr", 0, (1, "stage", 3, 12)),  # week 1's 15 RM → 3 × 12 RM
        ("hsr", 7, (2, "same_stage", 3, 12)),
        ("hsr", 14, (3, "stage", 4, 10)),
        ("hsr", 35, (6, "same_stage", 4, 8)),
        ("hsr", 49, (8, "stage", 4, 6)),
        ("alfredson", 30, (5, "load_prompt", 3, 15)),
        ("alfredson", 80, (12, "last_week", None, None)),
    ],
)
def test_today_says_which_week_it_is_and_what_next_week_changes(api, protocol, day, where):
    program = ProgramFactory(protocol=protocol, start_date=START, patient__timezone="UTC")
    found = today_of(api, program, START + dt.timedelta(days=day))["where"]
    assert (found["week"], found["change"], found["sets"], found["reps"]) == where
    assert found["weeks"] == 12 and found["text"]


def test_no_week_line_before_the_start_after_the_end_or_while_paused(api):
    program = ProgramFactory(start_date=START, patient__timezone="UTC")
    assert today_of(api, program, START - dt.timedelta(days=1))["where"] is None
    assert today_of(api, program, START + dt.timedelta(days=84))["where"] is None  # completed
    paused = ProgramFactory(start_date=START, patient__timezone="UTC", status="paused")
    day = today_of(api, paused, START + dt.timedelta(days=10))
    assert (day["state"], day["where"]) == ("paused", None)  # the week does not move on while paused


def test_hsr_first_stage_finds_the_rm_and_the_next_stage_suggests_from_the_loads_found(api):
    program = ProgramFactory(protocol="hsr", start_date=START, patient__timezone="UTC")
    week_1 = today_of(api, program, START)["items"]
    assert [(i["rm"], i["find_rm"], i["suggested_load_kg"]) for i in week_1] == [(15, True, None)] * 3
    # the RM found: start light, add load between sets (docs/clinical.md §10); the last set's load is the RM
    for load in (20, 30, 40):
        SetLogFactory(program=program, date=START, exercise="seated_calf_raise", reps=15, load_kg=load, session=None)
    week_2 = {i["exercise"]: i for i in today_of(api, program, START + dt.timedelta(days=7))["items"]}
    seated = week_2["seated_calf_raise"]
    assert (seated["rm"], seated["find_rm"], seated["suggested_load_kg"]) == (12, False, 42.5)  # 40 × 1.5 ÷ 1.4
    assert week_2["standing_calf_raise"]["find_rm"] is True  # nothing logged at 15 RM: found at this stage
    assert SetLog.objects.filter(program=program).count() == 3


def test_alfredson_never_finds_an_rm(api):
    program = ProgramFactory(start_date=START, patient__timezone="UTC")
    assert {i["find_rm"] for i in today_of(api, program, START)["items"]} == {False}


def test_the_outcome_visa_a_says_the_physio_will_review_asked_then_sent(api):
    program = ProgramFactory(start_date=START, patient__timezone="UTC")
    assert today_of(api, program, START + dt.timedelta(days=60))["outcome_review"] is None
    last_days = START + dt.timedelta(days=72)  # the last 14 days start on day 71 (end − 13)
    day = today_of(api, program, last_days)
    assert (day["visa_a_due"], day["outcome_review"]) == ("outcome", "asked")
    with time_machine.travel(noon(last_days), tick=False):
        body = {"answers": [8, 8, 8, 8, 8, 8, 7, 21], "item8_branch": "A"}
        assert api(program.patient.user).post("/api/v1/visa-a/", body, format="json").status_code == 201
    day = today_of(api, program, last_days + dt.timedelta(days=2))
    assert (day["visa_a_due"], day["outcome_review"]) == (None, "sent")
    assert today_of(api, program, START + dt.timedelta(days=84 + 7))["outcome_review"] is None  # window closed
