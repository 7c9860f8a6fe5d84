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
