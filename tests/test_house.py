"""The house rules that code review alone would not keep: one set of roles, one level order, locks that do not
block inserts of rows that reference the locked one."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import permissions, roles
from exercises.services import program_update
from notifications.models import FlagLevel
from patients import models as patient_models

from .factories import PatientFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def test_one_set_of_roles():
    assert patient_models.Role is roles.Role
    assert permissions.PHYSIO is roles.Role.PHYSIO and permissions.role_of is roles.role_of


def test_the_physician_level_outranks_the_physios():
    assert FlagLevel.outranks(FlagLevel.PHYSICIAN, FlagLevel.PHYSIO)
    assert not FlagLevel.outranks(FlagLevel.PHYSIO, FlagLevel.PHYSICIAN)
    assert not FlagLevel.outranks(FlagLevel.PHYSIO, FlagLevel.PHYSIO)


def test_row_locks_are_no_key_locks(time_machine):
    """``FOR NO KEY UPDATE``: a set log or a pause referencing the program can still be inserted meanwhile."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's lock modes")
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC), tick=False)
    program = ProgramFactory(start_date=dt.date(2026, 3, 2), patient=PatientFactory(timezone="UTC"))
    with CaptureQueriesContext(connection) as queries:
        program_update(program=program, status="paused")
    locks = [q["sql"] for q in queries.captured_queries if " FOR " in q["sql"]]
    assert locks and all("FOR NO KEY UPDATE" in sql for sql in locks)


def test_the_rules_the_screens_show_come_from_the_server(api, settings):
    settings.PAIN_ABOVE = 4
    rules = api(PatientFactory().user).get("/api/v1/settings/").json()
    assert rules["pain_zones"] == [{"name": "safe", "min": 0, "max": 2}, {"name": "acceptable", "min": 3, "max": 4},
                                   {"name": "too_much", "min": 5, "max": 10}]  # fmt: skip
    assert rules["default_protocol"] == {"midportion": "alfredson", "insertional": "alfredson_insertional"}
    assert rules["protocols_without_reason"]["insertional"] == ["alfredson_insertional"]
    assert rules["visa_a"]["item_8_branches"]["B"] == [0, 4, 10, 14, 20] and rules["adherent_at_least"] == 0.8
    assert api(None).get("/api/v1/settings/").status_code == 401


def test_unresolved_flags_are_open_and_acknowledged_ones(api):
    from notifications.models import Flag

    patient = PatientFactory()
    for kind, status in (("pain", "open"), ("non_adherence", "acknowledged"), ("clinical_review", "resolved")):
        Flag.objects.create(patient=patient, kind=kind, level="physio", reason="r", status=status)
    rows = api(patient.physio).get("/api/v1/flags/?status=unresolved").json()["results"]
    assert sorted(r["kind"] for r in rows) == ["non_adherence", "pain"]
    assert api(patient.physio).get("/api/v1/flags/?status=nope").status_code == 400
