"""Dose and program (docs/clinical.md §2–§4, §7): reps-weighted sets, each leg, pauses, variants, RM, progression."""

import datetime as dt
import uuid

import pytest

from exercises.adherence import adherence_for_programs
from exercises.models import Program, SetLog
from exercises.selectors import programs_for_patients
from notifications.escalation import _sets, evaluate
from notifications.models import Flag

from .factories import PatientFactory, ProgramFactory

UTC = dt.UTC
START = dt.date(2026, 3, 2)  # a Monday
NOW = dt.datetime(2026, 3, 10, 12, tzinfo=UTC)
pytestmark = pytest.mark.django_db
ALFREDSON = ("eccentric_heel_drop_straight", "eccentric_heel_drop_bent")
HSR = ("seated_calf_raise", "standing_calf_raise", "leg_press_calf_raise")


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def logs(program, date, *, reps=15, sets=3, exercises=ALFREDSON, sessions=("am", "pm"), side="left", pain=3, kg=0):
    week = program.week_on(date) if hasattr(program, "pause_list") else (date - program.start_date).days // 7 + 1
    SetLog.objects.bulk_create(
        SetLog(patient=program.patient, program=program, date=date, week=week, exercise=ex, reps=reps, pain=pain,
               session=s, side=side, load_kg=kg)
        for s in sessions for ex in exercises for _ in range(sets)
    )  # fmt: skip


def figures(program, **window):
    (loaded,) = [p for p in programs_for_patients([program.patient_id]) if p.pk == program.pk]
    return adherence_for_programs([loaded], **window)[program.id]


def post_log(api, patient, **fields):
    data = {"client_id": str(uuid.uuid4()), "date": "2026-03-09", "exercise": "eccentric_heel_drop_straight",
            "reps": 15, "pain": 2, "session": "am"} | fields  # fmt: skip
    return api(patient.user).post("/api/v1/logs/", data, format="json")


class TestRepsWeighted:
    @pytest.mark.parametrize(("reps", "completed"), [(1, 0.8), (10, 8.0), (15, 12.0), (30, 12.0)])
    def test_a_set_counts_its_share_of_the_prescribed_reps(self, reps, completed):
        """Twelve one-rep sets are not a full Alfredson day: 12 × 1/15 = 0.8 of a set."""
        program = ProgramFactory(start_date=START, patient=PatientFactory(timezone="UTC"))
        logs(program, day(0), reps=reps)
        result = figures(program, date_from=day(0), date_to=day(0))
        assert (result.days[0].prescribed_sets, result.days[0].completed_sets) == (12, completed)
        assert result.overall == round(completed / 12, 4)

    def test_hsr_sets_weigh_against_the_weeks_rm(self, time_machine):
        time_machine.move_to(dt.datetime(2026, 3, 16, 12, tzinfo=UTC), tick=False)  # weeks 1 and 2 are over
        program = ProgramFactory(start_date=START, protocol="hsr", patient=PatientFactory(timezone="UTC"))
        logs(program, day(0), reps=15, exercises=HSR, sessions=(None,))  # week 1: 3 × 15 RM, one full session
        logs(program, day(7), reps=6, exercises=HSR, sessions=(None,))  # week 2: 3 × 12 RM, half reps
        weeks = figures(program, date_from=day(0), date_to=day(13)).weeks
        assert [(w.prescribed_sets, w.completed_sets) for w in weeks] == [(27, 9), (27, 4.5)]


class TestBothSides:
    @pytest.fixture
    def both(self):
        return ProgramFactory(start_date=START, patient=PatientFactory(timezone="UTC", side="both"))

    def test_each_leg_owes_the_full_prescription(self, both):
        logs(both, day(0), side="left")
        one_leg = figures(both, date_from=day(0), date_to=day(0))
        assert (one_leg.prescribed_sets, one_leg.completed_sets, one_leg.overall) == (24, 12, 0.5)
        logs(both, day(0), side="right")
        assert figures(both, date_from=day(0), date_to=day(0)).overall == 1.0

    def test_a_set_must_name_its_leg(self, api, both):
        refused = post_log(api, both.patient)
        assert refused.status_code == 400 and "side" in refused.json()
        stored = post_log(api, both.patient, side="right")
        assert stored.status_code == 201 and stored.json()["side"] == "right"
        today = api(both.patient.user).get("/api/v1/today/").json()
        assert today["items"][0]["logged_by_side"] == {"left": 0, "right": 0}  # logged yesterday

    def test_one_affected_side_defaults_and_refuses_the_other(self, api):
        program = ProgramFactory(start_date=START, patient=PatientFactory(timezone="UTC", side="right"))
        assert post_log(api, program.patient).json()["side"] == "right"
        assert post_log(api, program.patient, side="left").status_code == 400


class TestPauses:
    def test_a_pause_moves_the_end_date_and_keeps_the_week(self, api, physio, time_machine):
        program = ProgramFactory(
            start_date=START, protocol="hsr", patient=PatientFactory(timezone="UTC", physio=physio)
        )
        client = api(physio)
        time_machine.move_to(dt.datetime(2026, 3, 23, 12, tzinfo=UTC), tick=False)  # week 4 starts
        assert client.patch(f"/api/v1/programs/{program.id}/", {"status": "paused"}, format="json").status_code == 200
        time_machine.move_to(dt.datetime(2026, 4, 20, 12, tzinfo=UTC), tick=False)  # 28 days later
        resumed = client.patch(f"/api/v1/programs/{program.id}/", {"status": "active"}, format="json").json()
        assert resumed["end_date"] == str(START + dt.timedelta(days=83 + 28))
        today = api(program.patient.user).get("/api/v1/today/").json()
        assert today["week"] == 4 and [(i["sets"], i["rm"]) for i in today["items"]] == [(4, 10)] * 3

    def test_a_paused_hsr_week_owes_no_sessions(self, api, physio, time_machine):
        program = ProgramFactory(
            start_date=START, protocol="hsr", patient=PatientFactory(timezone="UTC", physio=physio)
        )
        for n in (0, 2, 4, 7, 9, 11, 14, 16, 18):  # weeks 1–3 in full
            logs(program, day(n), reps=12, sets=4, exercises=HSR, sessions=(None,))
        time_machine.move_to(dt.datetime(2026, 3, 23, 12, tzinfo=UTC), tick=False)
        api(physio).patch(f"/api/v1/programs/{program.id}/", {"status": "paused"}, format="json")
        for days in range(1, 29):  # four paused weeks, evaluated daily
            evaluate(now=dt.datetime(2026, 3, 23, 12, tzinfo=UTC) + dt.timedelta(days=days))
        assert not Flag.objects.exists()

    def test_an_unpaused_hsr_week_with_one_session_is_flagged(self, time_machine):
        """The same week not paused: the rule fires (so the test above can fail)."""
        program = ProgramFactory(start_date=START, protocol="hsr", patient=PatientFactory(timezone="UTC"))
        for n in (0, 2, 4, 7, 9, 11, 14, 16, 18, 21):
            logs(program, day(n), reps=12, sets=4, exercises=HSR, sessions=(None,))
        time_machine.move_to(dt.datetime(2026, 3, 30, 12, tzinfo=UTC), tick=False)
        evaluate()
        assert "week 4 finished with 1 session(s)" in Flag.objects.get().reason

    def test_the_week_after_a_pause_is_judged_on_its_own_days(self, api, physio, time_machine):
        """Paused 23–29 March; week 4 is 30 March – 5 April and has one session: it is flagged."""
        patient = PatientFactory(timezone="UTC", physio=physio)
        program = ProgramFactory(start_date=START, protocol="hsr", patient=patient)
        for n in (0, 2, 4, 7, 9, 11, 14, 16, 18, 28):
            logs(program, day(n), reps=12, sets=4, exercises=HSR, sessions=(None,))
        client = api(physio)
        time_machine.move_to(dt.datetime(2026, 3, 23, 12, tzinfo=UTC), tick=False)
        client.patch(f"/api/v1/programs/{program.id}/", {"status": "paused"}, format="json")
        time_machine.move_to(dt.datetime(2026, 3, 30, 12, tzinfo=UTC), tick=False)
        client.patch(f"/api/v1/programs/{program.id}/", {"status": "active"}, format="json")
        time_machine.move_to(dt.datetime(2026, 4, 6, 12, tzinfo=UTC), tick=False)
        evaluate()
        assert "week 4 finished with 1 session(s)" in Flag.objects.get().reason


class TestVariants:
    @pytest.fixture
    def insertional(self, physio):
        return PatientFactory(timezone="UTC", tendinopathy="insertional", physio=physio)

    def enrol(self, api, physio, patient, **fields):
        body = {"patient": patient.id, "start_date": "2026-03-09"} | fields
        return api(physio).post("/api/v1/programs/", body, format="json")

    def test_an_insertional_patient_gets_the_insertional_variant_by_default(self, api, physio, insertional):
        created = self.enrol(api, physio, insertional)
        assert created.status_code == 201 and created.json()["protocol"] == "alfredson_insertional"

    def test_mid_portion_alfredson_for_an_insertional_patient_needs_a_reason(self, api, physio, insertional):
        refused = self.enrol(api, physio, insertional, protocol="alfredson")
        assert refused.status_code == 400 and "override_reason" in refused.json()
        assert not Program.objects.exists()
        reason = "Mixed picture; the surgeon asked for the full range."
        created = self.enrol(api, physio, insertional, protocol="alfredson", override_reason=reason)
        assert created.status_code == 201 and Program.objects.get().override_reason == reason

    def test_hsr_for_an_insertional_patient_needs_a_reason_and_says_flat_floor(self, api, physio, insertional):
        refused = self.enrol(api, physio, insertional, protocol="hsr", start_date="2026-03-10")
        assert refused.status_code == 400 and "override_reason" in refused.json()
        assert not Program.objects.exists()
        reason = "Prefers the gym; heavy loading from a flat floor agreed with the physician."
        created = self.enrol(api, physio, insertional, protocol="hsr", start_date="2026-03-10", override_reason=reason)
        assert created.status_code == 201 and Program.objects.get().override_reason == reason
        items = api(insertional.user).get("/api/v1/today/").json()["items"]
        assert items and all("flat floor" in i["note"] for i in items)


class TestToday:
    def test_hsr_shows_the_weekdays_in_force_rm_and_pain_guide(self, api):
        program = ProgramFactory(start_date=START, protocol="hsr", patient=PatientFactory(timezone="UTC"))
        today = api(program.patient.user).get("/api/v1/today/").json()  # Tuesday of week 2: a rest day
        assert today["training_weekdays"] == [0, 2, 4] and today["state"] == "rest"
        assert "0–2 is safe, 3–5 is acceptable, above 5 is too much" in today["pain_guide"]

    def test_hsr_suggests_a_load_from_the_previous_stage(self, api, time_machine):
        """Epley: 50 kg × 15 → 1RM 75 kg; at 12 RM 75 ÷ 1.4 = 53.6, rounded to 52.5 kg."""
        program = ProgramFactory(start_date=START, protocol="hsr", patient=PatientFactory(timezone="UTC"))
        logs(program, day(0), reps=15, exercises=HSR, sessions=(None,), kg=50)
        logs(program, day(2), reps=14, exercises=("seated_calf_raise",), sessions=(None,), kg=40)
        time_machine.move_to(dt.datetime(2026, 3, 11, 12, tzinfo=UTC), tick=False)  # Wednesday, week 2
        items = api(program.patient.user).get("/api/v1/today/").json()["items"]
        assert [(i["exercise"], i["rm"], i["suggested_load_kg"]) for i in items] == [
            ("seated_calf_raise", 12, 52.5),
            ("standing_calf_raise", 12, 52.5),
            ("leg_press_calf_raise", 12, 52.5),
        ]
        assert all(i["pain_guide"] and "(12 RM)" in i["note"] for i in items)

    @pytest.mark.parametrize(("pains", "due"), [((2, 1, 0), True), ((3, 1, 0), False), ((1, 3, 0), False)])
    def test_alfredson_prompts_progression_after_three_painless_sessions(self, api, physio, pains, due):
        program = ProgramFactory(start_date=START, patient=PatientFactory(timezone="UTC", physio=physio))
        for (date, session), pain in zip([(day(6), "am"), (day(6), "pm"), (day(7), "am")], pains, strict=True):
            logs(program, date, sessions=(session,), pain=pain)
        today = api(program.patient.user).get("/api/v1/today/").json()
        assert (today["progression"] is not None) is due
        if due:
            assert today["progression"]["add_kg"] == 5.0 and "add load" in today["progression"]["text"]
        [row] = api(physio).get("/api/v1/patients/").json()["results"]
        assert row["progression_due"] is due

    def test_a_new_load_needs_three_new_painless_sessions(self, api, physio, time_machine):
        program = ProgramFactory(start_date=START, patient=PatientFactory(timezone="UTC", physio=physio))
        for date, session in [(day(6), "am"), (day(6), "pm"), (day(7), "am")]:
            logs(program, date, sessions=(session,), pain=1)
        change = {"loads": {"eccentric_heel_drop_straight": 5, "eccentric_heel_drop_bent": 5}}
        assert api(physio).patch(f"/api/v1/programs/{program.id}/", change, format="json").status_code == 200
        assert api(program.patient.user).get("/api/v1/today/").json()["progression"] is None


def test_batch_conflict_says_why(api):
    program = ProgramFactory(start_date=START, patient=PatientFactory(timezone="UTC"))
    item = {"client_id": str(uuid.uuid4()), "date": "2026-03-09", "exercise": "eccentric_heel_drop_straight",
            "reps": 15, "pain": 2, "session": "am"}  # fmt: skip
    client = api(program.patient.user)
    client.post("/api/v1/logs/batch/", [item], format="json")
    [result] = client.post("/api/v1/logs/batch/", [item | {"reps": 14}], format="json").json()["results"]
    assert result["status"] == "conflict" and "already used for a different set" in result["errors"]["client_id"][0]


@pytest.mark.parametrize(("figure", "text"), [(30.857142, "30.9"), (0, "0"), (84, "84"), (41.6667, "41.7")])
def test_flag_reasons_round_sets_for_people(figure, text):
    assert _sets(figure) == text
