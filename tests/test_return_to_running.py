"""Return to running (docs/clinical.md §11): the physio's signed gate, then a walk–run progression whose steps are
held by the pain-monitoring rules (Silbernagel 2007), a broken rule telling the physio with a flag."""

import csv
import datetime as dt
import io
import json
import uuid
from collections import defaultdict

import pytest
import time_machine
from fhir.resources.R4B.bundle import Bundle

from exercises.models import RunLog, RunningGate
from notifications.models import Flag

from .contract import fhir_schema_errors, unresolved_references
from .factories import ProgramFactory

pytestmark = pytest.mark.django_db
END = dt.date(2026, 3, 8)
GATE = {"pain_ok": True, "heel_raise_affected": 27, "heel_raise_other": 29, "heel_raise_ok": True,
        "hopping_ok": True, "patient_ready": True, "note": "Hops 20× without pain"}  # fmt: skip


@pytest.fixture(autouse=True)
def _after_the_end():
    with time_machine.travel(dt.datetime(2026, 3, 12, 11, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def program(api, patient, physio):
    program = ProgramFactory(patient=patient, start_date=dt.date(2025, 12, 15))
    body = {"next_state": "return_to_running", "patient_note": "Time to run again, step by step."}
    assert api(physio).post(f"/api/v1/programs/{program.id}/review/", body, format="json").status_code == 200
    return program


def gate(api, user, program, **changes):
    return api(user).put(f"/api/v1/programs/{program.id}/running-gate/", {**GATE, **changes}, format="json")


def run(api, patient, day, minutes, pain, morning=None):
    body = {"client_id": str(uuid.uuid4()), "date": day.isoformat(), "minutes_run": minutes, "pain_during": pain}
    if morning is not None:
        body["pain_next_morning"] = morning
    return api(patient.user).post("/api/v1/running-logs/", body, format="json")


def running(api, patient):
    return api(patient.user).get("/api/v1/today/").json()["after_week12"]["running"]


class TestTheGate:
    def test_running_starts_only_after_the_physio_signs(self, api, patient, physio, program):
        assert run(api, patient, dt.date(2026, 3, 10), 2, 1).status_code == 400
        assert running(api, patient)["started"] is False
        assert gate(api, physio, program, sign=False).status_code == 200  # a draft
        assert run(api, patient, dt.date(2026, 3, 10), 2, 1).status_code == 400
        signed = gate(api, physio, program, sign=True)
        assert signed.status_code == 200 and signed.json()["signed_by"] == physio.username
        assert running(api, patient)["started"] is True
        assert run(api, patient, dt.date(2026, 3, 11), 2, 1).status_code == 201

    @pytest.mark.parametrize("item", ["pain_ok", "heel_raise_ok", "hopping_ok", "patient_ready"])
    def test_every_item_must_be_met_to_sign(self, api, physio, program, item):
        response = gate(api, physio, program, sign=True, **{item: False})
        assert response.status_code == 400 and not RunningGate.objects.exists()

    def test_heel_raises_below_ninety_percent_cannot_be_ticked(self, api, physio, program):
        response = gate(api, physio, program, heel_raise_affected=25, heel_raise_other=29, sign=True)
        assert response.status_code == 400 and "heel_raise_ok" in response.json()

    def test_only_the_care_team_signs(self, api, patient, physician, program):
        assert gate(api, patient.user, program, sign=True).status_code == 403
        assert gate(api, physician, program, sign=True).status_code == 403
        assert api(physician).get(f"/api/v1/programs/{program.id}/running-gate/").status_code == 404


class TestTheProgression:
    @pytest.fixture(autouse=True)
    def _signed(self, api, physio, program):
        assert gate(api, physio, program, sign=True).status_code == 200

    def test_a_session_within_the_rules_moves_to_the_next_step(self, api, patient):
        first = run(api, patient, dt.date(2026, 3, 10), 2, 3).json()
        assert first["step"] == 1 and first["ok"] is None
        assert running(api, patient)["awaiting_morning"] == {"id": first["id"], "date": "2026-03-10"}
        morning = api(patient.user).patch(f"/api/v1/running-logs/{first['id']}/", {"pain_next_morning": 1},
                                          format="json")  # fmt: skip
        assert morning.status_code == 200 and morning.json()["ok"] is True
        now = running(api, patient)
        assert (now["step"], now["minutes_run"], now["held"]) == (2, 4, False)
        assert not Flag.objects.exists()

    @pytest.mark.parametrize(("pain", "morning"), [(6, 0), (3, 3)])
    def test_a_broken_rule_holds_the_step_and_flags_the_physio(self, api, patient, pain, morning):
        run(api, patient, dt.date(2026, 3, 9), 2, 1, morning=0)
        log = run(api, patient, dt.date(2026, 3, 11), 4, pain, morning=morning).json()
        assert log["step"] == 2 and log["ok"] is False
        now = running(api, patient)
        assert (now["step"], now["held"]) == (2, True) and now["held_reason"]
        [flag] = Flag.objects.all()
        assert flag.kind == "pain" and flag.level == "physio" and "Return to running, step 2" in flag.reason
        assert run(api, patient, dt.date(2026, 3, 12), 4, 2, morning=0).json()["step"] == 2  # the step repeated

    def test_next_morning_pain_rising_week_to_week_holds_the_step(self, api, patient):
        """Silbernagel's third rule: morning pain not rising week to week (a rise of MORNING_PAIN_WEEKLY_RISE)."""
        for day in (9, 11):  # a week that settled each morning
            minutes = running(api, patient)["minutes_run"]
            assert run(api, patient, dt.date(2026, 3, day), minutes, 1, morning=0).json()["ok"] is True
        with time_machine.travel(dt.datetime(2026, 3, 17, 11, tzinfo=dt.UTC), tick=False):
            minutes = running(api, patient)["minutes_run"]
            log = run(api, patient, dt.date(2026, 3, 16), minutes, 1, morning=2)  # settled (≤ 2), yet 2 points up
            assert log.status_code == 201
            now = running(api, patient)
            assert now["held"] is True and "rose by 2.0 points" in now["held_reason"]
            assert now["step"] == log.json()["step"] == 3
            [flag] = Flag.objects.all()
            assert "rose by 2.0 points" in flag.reason

    def test_a_rise_under_the_limit_moves_on(self, api, patient):
        for day in (9, 11):
            minutes = running(api, patient)["minutes_run"]
            run(api, patient, dt.date(2026, 3, day), minutes, 1, morning=0)
        with time_machine.travel(dt.datetime(2026, 3, 17, 11, tzinfo=dt.UTC), tick=False):
            minutes = running(api, patient)["minutes_run"]
            run(api, patient, dt.date(2026, 3, 16), minutes, 1, morning=1)
            assert running(api, patient)["held"] is False and not Flag.objects.exists()

    def test_the_same_client_id_again_is_the_stored_session(self, api, patient):
        body = {"client_id": str(uuid.uuid4()), "date": "2026-03-11", "minutes_run": 2, "pain_during": 1}
        assert api(patient.user).post("/api/v1/running-logs/", body, format="json").status_code == 201
        assert api(patient.user).post("/api/v1/running-logs/", body, format="json").status_code == 200
        assert RunLog.objects.count() == 1

    @pytest.mark.parametrize("bad", [{"pain_during": 11}, {"minutes_run": -1}, {"date": "2026-03-13"},
                                     {"client_id": "nope"}])  # fmt: skip
    def test_bad_input_is_a_400_and_nothing_is_kept(self, api, patient, bad):
        body = {"client_id": str(uuid.uuid4()), "date": "2026-03-11", "minutes_run": 2, "pain_during": 1, **bad}
        assert api(patient.user).post("/api/v1/running-logs/", body, format="json").status_code == 400
        assert not RunLog.objects.exists()

    def test_the_care_team_reads_the_log_in_scope(self, api, patient, physio):
        run(api, patient, dt.date(2026, 3, 11), 2, 1)
        response = api(physio).get(f"/api/v1/running-logs/?patient={patient.id}")
        assert response.status_code == 200 and [r["minutes_run"] for r in response.json()["results"]] == [2]
        from .factories import PhysioFactory

        assert api(PhysioFactory()).get(f"/api/v1/running-logs/?patient={patient.id}").json()["results"] == []

    def test_the_exports_carry_the_signed_gate_and_every_session(self, api, patient, physio):
        """A patient's data (CSV and FHIR) includes return to running: the gate as signed and each session."""
        run(api, patient, dt.date(2026, 3, 9), 2, 1, morning=0)
        run(api, patient, dt.date(2026, 3, 11), 4, 3)  # the next morning not reported yet
        url = f"/api/v1/patients/{patient.id}/export/"
        rows = list(
            csv.DictReader(io.StringIO(b"".join(api(physio).get(url, {"format": "csv"}).streaming_content).decode()))
        )
        [signed] = [r for r in rows if r["record"] == "running_gate"]
        assert (signed["date"], signed["gate_heel_raise_affected"], signed["gate_heel_raise_other"]) == (
            "2026-03-12", "27", "29")  # fmt: skip
        assert signed["gate_hopping_ok"] == "True" and signed["gate_note"] == "Hops 20× without pain"
        runs = [(r["date"], r["run_step"], r["minutes_run"], r["pain"], r["pain_next_morning"])
                for r in rows if r["record"] == "run"]  # fmt: skip
        assert runs == [("2026-03-09", "1", "2", "1", "0"), ("2026-03-11", "2", "4", "3", "")]
        march_11 = b"".join(api(physio).get(url, {"format": "csv", "from": "2026-03-10"}).streaming_content).decode()
        assert [r["date"] for r in csv.DictReader(io.StringIO(march_11)) if r["record"] == "run"] == ["2026-03-11"]
        raw = b"".join(api(physio).get(url, {"format": "fhir"}).streaming_content).decode()
        Bundle.model_validate_json(raw)
        bundle = json.loads(raw)
        assert fhir_schema_errors(bundle) == [] and unresolved_references(bundle) == []
        by_code = defaultdict(list)
        for entry in bundle["entry"]:
            resource = entry["resource"]
            by_code[resource.get("code", {}).get("coding", [{}])[0].get("code")].append(resource)
        [gate_obs] = by_code["running-gate"]
        assert [c.get("valueBoolean", c.get("valueInteger")) for c in gate_obs["component"]] == [
            True, 27, 29, True, True, True]  # fmt: skip
        sessions = {o["effectiveDateTime"]: [c.get("valueInteger", c.get("valueQuantity", {}).get("value"))
                                             for c in o["component"]] for o in by_code["run-session"]}  # fmt: skip
        assert sessions == {"2026-03-09": [1, 2, 1, 0], "2026-03-11": [2, 4, 3]}
