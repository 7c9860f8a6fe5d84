"""A patient mends their own set of today or yesterday (PATCH, DELETE /logs/{id}/), and the player's timings."""

import datetime as dt

import pytest

from exercises.models import AdherenceSummary, Program, SetLog
from exercises.summaries import EXPIRED, refresh_stale
from patients.models import AuditEvent

from .factories import PatientFactory, ProgramFactory, SetLogFactory

START = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 10, 22, 30, tzinfo=dt.UTC)  # Copenhagen: 23:30 on the 10th
TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def program(db, patient, time_machine):
    time_machine.move_to(NOW, tick=False)
    return ProgramFactory(patient=patient, start_date=START)


@pytest.fixture
def client(api, patient):
    return api(patient.user)


def a_set(program, day=TODAY, **fields):
    return SetLogFactory(program=program, date=day, **fields)


def own_audit(patient):
    return list(
        AuditEvent.objects.filter(patient=patient, user=patient.user).order_by("id").values_list("action", "what")
    )


def test_a_set_of_today_is_mended_once_and_audited(client, program, patient):
    log = a_set(program, reps=15, pain=3, load_kg=0)
    answer = client.patch(f"/api/v1/logs/{log.id}/", {"reps": 12, "pain": 4}, format="json")
    assert answer.status_code == 200
    assert (answer.json()["reps"], answer.json()["pain"], answer.json()["id"]) == (12, 4, log.id)
    again = client.patch(f"/api/v1/logs/{log.id}/", {"reps": 12, "pain": 4}, format="json")
    assert again.status_code == 200 and again.json()["reps"] == 12
    log.refresh_from_db()
    assert (log.reps, log.pain, float(log.load_kg)) == (12, 4, 0.0)
    assert own_audit(patient) == [
        ("change", f"PATCH /api/v1/logs/{log.id}/: reps, pain")
    ]  # once: the repeat changed nothing


def test_a_set_of_yesterday_can_be_deleted_once_and_expires_the_kept_figures(client, program, patient):
    log = a_set(program, day=TODAY - dt.timedelta(days=1))
    refresh_stale(Program.objects.all(), now=NOW)
    assert AdherenceSummary.objects.get(program=program).valid_until > NOW
    assert client.delete(f"/api/v1/logs/{log.id}/").status_code == 204
    assert not SetLog.objects.filter(pk=log.pk).exists()
    assert AdherenceSummary.objects.get(program=program).valid_until == EXPIRED
    assert client.delete(f"/api/v1/logs/{log.id}/").status_code == 204  # the outbox resends: the same answer
    assert client.patch(f"/api/v1/logs/{log.id}/", {"reps": 3}, format="json").status_code == 404
    assert own_audit(patient) == [("delete", f"DELETE /api/v1/logs/{log.id}/")]


def test_deleting_todays_set_lowers_todays_count(client, program):
    logs = [a_set(program, session="pm") for _ in range(2)]
    assert client.delete(f"/api/v1/logs/{logs[0].id}/").status_code == 204
    items = client.get("/api/v1/today/").json()["items"]
    done = {(i["exercise"], i["session"]): i["logged_sets"] for i in items}
    assert done[("eccentric_heel_drop_straight", "pm")] == 1


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_an_older_set_is_a_400_that_says_why(client, program, method):
    log = a_set(program, day=TODAY - dt.timedelta(days=2), reps=15)
    answer = getattr(client, method)(f"/api/v1/logs/{log.id}/", {"reps": 10}, format="json")
    assert answer.status_code == 400
    assert "only sets of today and yesterday" in answer.json()["date"][0]
    log.refresh_from_db()
    assert log.reps == 15


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_someone_elses_set_is_a_404_and_stays(api, program, method):
    theirs = a_set(ProgramFactory(patient=PatientFactory(), start_date=START), reps=15)
    answer = getattr(api(program.patient.user), method)(f"/api/v1/logs/{theirs.id}/", {"reps": 1}, format="json")
    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.reps == 15
    assert AuditEvent.objects.filter(patient=theirs.patient, action="refused").count() == 1


def test_a_clinician_cannot_mend_a_patients_set(api, program, physio):
    log = a_set(program)
    assert api(physio).patch(f"/api/v1/logs/{log.id}/", {"reps": 1}, format="json").status_code == 403
    assert api(physio).delete(f"/api/v1/logs/{log.id}/").status_code == 403
    assert SetLog.objects.filter(pk=log.pk, reps=15).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [({"reps": 0}, "reps"), ({"pain": 11}, "pain"), ({"load_kg": -1}, "load_kg"), ({"exercise": "x"}, "exercise"),
     ({}, "non_field_errors"), ({"reps": "many"}, "reps")],
)  # fmt: skip
def test_bad_mends_are_a_400_naming_the_field(client, program, data, field):
    log = a_set(program, reps=15)
    answer = client.patch(f"/api/v1/logs/{log.id}/", data, format="json")
    assert answer.status_code == 400 and field in answer.json()
    log.refresh_from_db()
    assert log.reps == 15


def test_today_gives_each_exercise_its_tempo_and_rests(db, api, settings, time_machine):
    time_machine.move_to(NOW, tick=False)
    settings.ALFREDSON_LOWER_SECONDS, settings.ALFREDSON_REST_SECONDS = 4, 90
    alfredson = ProgramFactory(start_date=START).patient
    hsr = ProgramFactory(start_date=TODAY, protocol="hsr").patient
    item = api(alfredson.user).get("/api/v1/today/").json()["items"][0]
    assert (item["tempo_seconds"], item["rest_seconds"]) == (
        {"lower": 4, "rise": None},
        {"between_sets": 90, "after_exercise": 60},
    )
    assert item["movement"] == {"heel_below_forefoot": True, "lowering_leg": "left", "rise_on": "other_leg"}
    item = api(hsr.user).get("/api/v1/today/").json()["items"][0]
    assert item["movement"] == {"heel_below_forefoot": True, "lowering_leg": None, "rise_on": "both_legs"}
    assert (item["tempo_seconds"], item["rest_seconds"]) == (
        {"lower": 3, "rise": 3},
        {"between_sets": 150, "after_exercise": 300},
    )


def test_the_insertional_variant_is_shown_from_a_flat_floor_and_both_legs_rise_when_both_are_affected(
    db, api, time_machine
):
    time_machine.move_to(NOW, tick=False)
    patient = PatientFactory(tendinopathy="insertional", side="both")
    ProgramFactory(patient=patient, start_date=START, protocol="alfredson_insertional")
    item = api(patient.user).get("/api/v1/today/").json()["items"][0]
    assert item["movement"] == {"heel_below_forefoot": False, "lowering_leg": None, "rise_on": "both_legs"}


def test_a_racing_second_delete_or_edit_finds_the_set_gone_and_does_nothing(program):
    from exercises import services

    log = a_set(program)
    assert services.setlog_delete(log=log, today=TODAY) is True
    assert services.setlog_delete(log=log, today=TODAY) is False  # the same row, read before the first delete
    assert services.setlog_edit(log=log, changes={"reps": 3}, today=TODAY) is None
