"""The red-flag pathway (docs/clinical.md §8): physician at once, exercises on hold, resolved with an outcome."""

import datetime as dt

import pytest

from exercises.adherence import adherence_for_programs
from exercises.models import Program, SetLog
from exercises.selectors import programs_for_patients
from notifications.escalation import evaluate
from notifications.models import Flag, Notification

from .factories import PatientFactory, ProgramFactory

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
START = dt.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def patient():
    return PatientFactory(timezone="UTC")


def check_in(api, patient, answers, **extra):
    body = {"morning_pain": 6, "morning_stiffness_minutes": 10, "red_flags": answers, **extra}
    response = api(patient.user).post("/api/v1/checkins/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def told(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("id"))


@pytest.mark.parametrize(
    "state",
    ["none", "active", "paused", "stopped", "completed_yesterday", "completed_30_days_ago"],
)
def test_a_red_flag_reaches_the_physician_whatever_the_programs_state(api, patient, state):
    if state != "none":
        start = {"completed_30_days_ago": START - dt.timedelta(days=120), "completed_yesterday": dt.date(2025, 12, 26)}
        status = {"completed_30_days_ago": "completed", "completed_yesterday": "completed"}
        ProgramFactory(patient=patient, start_date=start.get(state, START), status=status.get(state, state))
    check_in(api, patient, ["sudden_pop"])
    [flag] = Flag.objects.filter(patient=patient, kind="red_flag")
    assert (flag.level, flag.status) == ("physician", "open")
    assert "a sudden pop or a feeling of being kicked in the heel" in flag.reason
    assert [n.kind for n in told(patient.physician)] == ["flag"]
    assert [n.kind for n in told(patient.physio)] == ["flag"]  # informed


def test_a_further_answer_adds_to_the_open_flag_and_notifies_the_physician_again(api, patient):
    ProgramFactory(patient=patient, start_date=START)
    check_in(api, patient, ["swelling_or_redness"])
    flag = Flag.objects.get(kind="red_flag")
    assert api(patient.physician).post(f"/api/v1/flags/{flag.id}/acknowledge/", {}, format="json").status_code == 200
    check_in(api, patient, ["sudden_pop", "cannot_heel_raise"])
    flag.refresh_from_db()
    assert flag.status == "acknowledged" and Flag.objects.filter(kind="red_flag").count() == 1
    assert "warm, red or swollen" in flag.reason
    assert "Further: Check-in of 2026-03-20 reports: cannot rise onto the toes" in flag.reason
    assert "a sudden pop" in flag.reason
    assert "cannot rise onto the toes" in flag.reason
    assert len(told(patient.physician)) == 2 and len(told(patient.physio)) == 2
    evaluate(now=NOW)  # the evaluation finds both check-ins reported: once per check-in
    evaluate(now=NOW + dt.timedelta(hours=1))
    assert len(told(patient.physician)) == 2


def test_the_exercises_stop_and_sets_logged_anyway_are_kept(api, patient):
    program = ProgramFactory(patient=patient, start_date=START)
    check_in(api, patient, ["sudden_pop"])
    today = api(patient.user).get("/api/v1/today/").json()
    assert today["state"] == "red_flag" and today["items"] == []
    assert [a["kind"] for a in today["advice"]] == ["suspected_rupture"]
    assert "on hold" in today["notice"] and "set" not in today["notice"]  # no set was logged today
    program.refresh_from_db()
    assert program.status == "paused" and program.pauses.get().reason == "red_flag"
    body = {"client_id": "6d4ed7c9-1f0e-4f38-9e55-0d6a3f1e0a11", "date": "2026-03-20",
            "exercise": "eccentric_heel_drop_straight", "reps": 15, "pain": 4, "session": "pm"}  # fmt: skip
    logged = api(patient.user).post("/api/v1/logs/", body, format="json")
    assert logged.status_code == 201 and "on hold" in logged.json()["notice"]
    assert "The set you logged is kept" in logged.json()["notice"]
    assert SetLog.objects.filter(patient=patient).count() == 1


def test_days_under_an_open_red_flag_owe_nothing_and_raise_no_other_flag(api, patient):
    """A patient who obeyed "stop" for ten days gets no non-adherence flag and no escalation."""
    program = ProgramFactory(patient=patient, start_date=START)
    for day in range(18):  # every set done up to the red flag
        for session in ("am", "pm"):
            for exercise in ("eccentric_heel_drop_straight", "eccentric_heel_drop_bent"):
                SetLog.objects.bulk_create(
                    SetLog(patient=patient, program=program, date=START + dt.timedelta(days=day), week=day // 7 + 1,
                           exercise=exercise, reps=15, pain=3, session=session)
                    for _ in range(3)
                )  # fmt: skip
    check_in(api, patient, ["swelling_or_redness"])
    for later in range(1, 11):
        evaluate(now=NOW + dt.timedelta(days=later))
    assert list(Flag.objects.values_list("kind", "level")) == [("red_flag", "physician")]
    (loaded,) = programs_for_patients([patient.id])
    held = adherence_for_programs([loaded], now=NOW + dt.timedelta(days=10), date_from=dt.date(2026, 3, 20),
                                  date_to=dt.date(2026, 3, 29))[program.id]  # fmt: skip
    assert held.prescribed_sets == 0 and held.overall is None


@pytest.mark.parametrize(
    ("answers", "kinds"),
    [
        (["sudden_pop"], ["suspected_rupture"]),
        (["cannot_heel_raise"], ["suspected_rupture"]),
        (["swelling_or_redness"], ["inflammation"]),
        (["fever"], ["inflammation"]),
        (["fluoroquinolone_or_steroid"], ["drug_related"]),
        (["fluoroquinolone_or_steroid", "fever", "sudden_pop"], ["suspected_rupture", "inflammation", "drug_related"]),
    ],
)
def test_advice_by_kind_with_the_clinics_contact_texts(api, patient, settings, answers, kinds):
    settings.CLINIC_CONTACT_TEXT = "Aarhus Tendon Clinic on +45 1234 5678"
    settings.URGENT_CARE_TEXT = "the emergency department at Aarhus University Hospital"
    ProgramFactory(patient=patient, start_date=START)
    answered = check_in(api, patient, answers)
    assert [a["kind"] for a in answered["advice"]] == kinds
    advice = {a["kind"]: a["text"] for a in answered["advice"]}
    if "suspected_rupture" in advice:
        assert "Do not test the tendon by hopping" in advice["suspected_rupture"]
        assert "Aarhus Tendon Clinic on +45 1234 5678" in advice["suspected_rupture"]
        assert "emergency department at Aarhus" in advice["suspected_rupture"]
        assert "Being able to walk does not rule" in advice["suspected_rupture"]
    if "drug_related" in advice:
        assert "prescribed the medicine" in advice["drug_related"] and "Do not stop" in advice["drug_related"]
    everything = " ".join(advice.values()) + told(patient.user)[0].body
    assert "cannot walk" not in everything
    assert [a["kind"] for a in api(patient.user).get("/api/v1/today/").json()["advice"]] == kinds


def test_a_check_in_without_red_flags_has_no_advice_and_raises_nothing(api, patient):
    ProgramFactory(patient=patient, start_date=START)
    assert check_in(api, patient, [], morning_pain=3)["advice"] == []  # (6/10 with no usual to compare: advice)
    assert not Flag.objects.exists()
    assert api(patient.user).get("/api/v1/today/").json()["state"] == "training"


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "   "}, {"note": "Seen in clinic."}])
def test_resolving_needs_a_note_and_for_a_red_flag_an_outcome(api, patient, body):
    ProgramFactory(patient=patient, start_date=START)
    check_in(api, patient, ["fever"])
    flag = Flag.objects.get(kind="red_flag")
    response = api(patient.physician).post(f"/api/v1/flags/{flag.id}/resolve/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == ({"outcome"} if body.get("note", "").strip() else {"note"})
    flag.refresh_from_db()
    assert flag.status == "open" and Program.objects.get().status == "paused"


@pytest.mark.parametrize(
    ("outcome", "status", "state"),
    [("resume", "active", "training"), ("keep_paused", "paused", "paused"), ("stop", "stopped", "no_program")],
)
def test_the_program_follows_the_outcome(api, patient, outcome, status, state, time_machine):
    program = ProgramFactory(patient=patient, start_date=START)
    check_in(api, patient, ["sudden_pop"])
    flag = Flag.objects.get(kind="red_flag")
    time_machine.move_to(NOW + dt.timedelta(days=4), tick=False)
    response = api(patient.physician).post(
        f"/api/v1/flags/{flag.id}/resolve/", {"note": "Ultrasound: no rupture.", "outcome": outcome}, format="json"
    )
    assert response.status_code == 200 and response.json()["outcome"] == outcome
    program.refresh_from_db()
    assert program.status == status
    assert api(patient.user).get("/api/v1/today/").json()["state"] == state
    if outcome == "resume":  # four days held (20–23 March) move the end and keep the week
        assert program.end_date == START + dt.timedelta(days=83 + 4)
        assert api(patient.user).get("/api/v1/today/").json()["week"] == 3


def test_a_physio_informed_of_a_red_flag_cannot_resolve_it(api, patient):
    ProgramFactory(patient=patient, start_date=START)
    check_in(api, patient, ["fever"])
    flag = Flag.objects.get(kind="red_flag")
    body = {"note": "Fine.", "outcome": "resume"}
    assert api(patient.physio).post(f"/api/v1/flags/{flag.id}/resolve/", body, format="json").status_code == 403


def test_a_resolved_red_flag_is_raised_again_only_by_a_new_check_in(api, patient, time_machine):
    ProgramFactory(patient=patient, start_date=START)
    check_in(api, patient, ["swelling_or_redness"])
    flag = Flag.objects.get(kind="red_flag")
    body = {"note": "Gout, treated.", "outcome": "resume"}
    assert api(patient.physician).post(f"/api/v1/flags/{flag.id}/resolve/", body, format="json").status_code == 200
    for hours in (1, 24, 24 * 8):
        evaluate(now=NOW + dt.timedelta(hours=hours))
    assert list(Flag.objects.filter(kind="red_flag").values_list("status", flat=True)) == ["resolved"]
    time_machine.move_to(NOW + dt.timedelta(days=9), tick=False)
    check_in(api, patient, ["swelling_or_redness"])
    assert sorted(Flag.objects.filter(kind="red_flag").values_list("status", flat=True)) == ["open", "resolved"]


def test_the_evaluation_reports_a_red_flag_check_in_the_request_did_not(patient):
    """A check-in stored without its report (the request died after the commit) reaches the physician hourly."""
    from patients.models import CheckIn

    CheckIn.objects.create(
        patient=patient, date=NOW.date(), morning_pain=3, morning_stiffness_minutes=5, red_flags=["fever"]
    )
    assert evaluate(now=NOW)["flags_raised"] == 1
    assert Flag.objects.get().kind == "red_flag" and len(told(patient.physician)) == 1
    assert evaluate(now=NOW)["flags_raised"] == 0


def test_each_check_in_is_reported_once_however_often_it_is_reported(patient):
    from notifications.flags import red_flag_report
    from patients.models import CheckIn

    checkin = CheckIn.objects.create(
        patient=patient, date=NOW.date(), morning_pain=3, morning_stiffness_minutes=5, red_flags=["sudden_pop"]
    )
    assert red_flag_report(checkin=checkin) is not None
    assert red_flag_report(checkin=checkin) is None
    assert Flag.objects.get().reason.count("Check-in of") == 1 and len(told(patient.physician)) == 1


def test_a_physio_cannot_resume_a_program_a_red_flag_holds(api, patient):
    program = ProgramFactory(patient=patient, start_date=START)
    check_in(api, patient, ["sudden_pop"])
    refused = api(patient.physio).patch(f"/api/v1/programs/{program.id}/", {"status": "active"}, format="json")
    assert refused.status_code == 400
    assert "resumes only when a clinician resolves the red flag" in str(refused.json())
    program.refresh_from_db()
    assert program.status == "paused" and program.open_pause.reason == "red_flag"


def test_a_program_a_clinician_paused_is_held_by_a_red_flag_too(api, patient, time_machine):
    """The red flag's hold replaces the clinician's pause: a set logged anyway gets the on-hold notice, the
    physio cannot lift it, and "keep paused" hands the pause back to the clinician."""
    program = ProgramFactory(patient=patient, start_date=START)
    paused = api(patient.physio).patch(f"/api/v1/programs/{program.id}/", {"status": "paused"}, format="json")
    assert paused.status_code == 200
    time_machine.move_to(NOW + dt.timedelta(days=2), tick=False)
    check_in(api, patient, ["fever"])
    program.refresh_from_db()
    assert [(p.reason, p.end_date) for p in program.pauses.all()] == [
        ("clinician", dt.date(2026, 3, 21)), ("red_flag", None),
    ]  # fmt: skip
    body = {"client_id": "1d4ed7c9-1f0e-4f38-9e55-0d6a3f1e0a11", "date": "2026-03-22",
            "exercise": "eccentric_heel_drop_straight", "reps": 15, "pain": 4, "session": "am"}  # fmt: skip
    logged = api(patient.user).post("/api/v1/logs/", body, format="json")
    assert logged.status_code == 201 and "on hold" in logged.json()["notice"]
    refused = api(patient.physio).patch(f"/api/v1/programs/{program.id}/", {"status": "active"}, format="json")
    assert refused.status_code == 400
    flag = Flag.objects.get(kind="red_flag")
    resolved = api(patient.physician).post(
        f"/api/v1/flags/{flag.id}/resolve/", {"note": "Seen: no infection.", "outcome": "keep_paused"}, format="json"
    )
    assert resolved.status_code == 200
    program.refresh_from_db()
    assert program.status == "paused" and program.open_pause.reason == "clinician"
    time_machine.move_to(NOW + dt.timedelta(days=3), tick=False)
    resumed = api(patient.physio).patch(f"/api/v1/programs/{program.id}/", {"status": "active"}, format="json")
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"


def test_a_red_flag_nobody_acknowledges_is_chased_until_someone_does(api, patient, time_machine):
    from .factories import AdminFactory

    admin = AdminFactory()
    ProgramFactory(patient=patient, start_date=START)
    check_in(api, patient, ["sudden_pop"])
    flag = Flag.objects.get(kind="red_flag")

    def chases(user):
        return Notification.objects.filter(user=user, dedupe_key__contains=":chase:").count()

    seen = []
    for hours in (1, 3, 4, 5, 7, 8, 23, 24, 25):
        evaluate(now=NOW + dt.timedelta(hours=hours))
        evaluate(now=NOW + dt.timedelta(hours=hours, minutes=30))  # a second run in the same hour adds nothing
        seen.append((hours, chases(patient.physician), chases(admin)))
    # (runs skipped between 8 and 23 hours send their intervals' notices no later)
    assert seen == [(1, 0, 0), (3, 0, 0), (4, 1, 0), (5, 1, 0), (7, 1, 0), (8, 2, 0), (23, 3, 0), (24, 4, 1),
                    (25, 4, 1)]  # fmt: skip
    assert chases(patient.physio) == 0
    chased = Notification.objects.filter(user=admin).get()
    assert chased.flag == flag and "not acknowledged for 24 hours" in chased.title
    assert patient.user.username not in chased.title
    assert api(patient.physician).post(f"/api/v1/flags/{flag.id}/acknowledge/", {}, format="json").status_code == 200
    evaluate(now=NOW + dt.timedelta(hours=60))
    assert (chases(patient.physician), chases(admin)) == (4, 1)


def test_the_same_red_flag_answers_again_soon_join_the_flag_quietly(api, patient, time_machine):
    """15 identical "pop" check-ins: one notice and a reason that does not grow; a new answer notifies at once,
    and so does the same answer after the window."""
    ProgramFactory(patient=patient, start_date=START)
    for _ in range(15):
        check_in(api, patient, ["sudden_pop"])
    flag = Flag.objects.get(kind="red_flag")
    reason = flag.reason
    assert len(told(patient.physician)) == 1
    assert flag.reports.count() == 15  # each check-in is kept with the flag
    check_in(api, patient, ["sudden_pop", "fever"])  # an answer the flag did not have
    assert len(told(patient.physician)) == 2
    flag.refresh_from_db()
    assert "fever" in flag.reason and len(flag.reason) > len(reason)
    time_machine.move_to(NOW + dt.timedelta(minutes=61), tick=False)
    check_in(api, patient, ["sudden_pop"])
    assert len(told(patient.physician)) == 3
