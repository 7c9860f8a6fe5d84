"""Backups: pg_dump of a seeded database, pg_restore into a new one, identical API answers.

The commands are the README's. The test database is dumped in the custom format and restored with
``--no-owner`` into a fresh database; the API is then asked the same questions against both.
"""

import datetime as dt
import subprocess
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from patients.models import Patient, User

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
QUESTIONS = ["/api/v1/patients/?ordering=risk", "/api/v1/flags/", "/api/v1/visa-a/", "/api/v1/logs/?page_size=500"]


def answers(api) -> dict:
    physio = User.objects.get(username="demo-physio")
    client = api(physio)
    got = {path: client.get(path).json() for path in QUESTIONS}
    for patient in Patient.objects.order_by("id"):
        got[f"timeline {patient.id}"] = client.get(f"/api/v1/patients/{patient.id}/timeline/").json()
        got[f"today {patient.id}"] = api(patient.user).get("/api/v1/today/").json()
    return got


def test_dump_and_restore_give_identical_answers(api, tmp_path, time_machine):
    time_machine.move_to(dt.datetime.now(dt.UTC), tick=False)
    call_command("seed_demo", stdout=StringIO())
    before = answers(api)
    db = connection.settings_dict
    target = f"{db['NAME']}_restored"
    url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}"
    dump = tmp_path / "rehab.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", f"{url}/{db['NAME']}"], check=True)
    with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={url}/{target}", str(dump)], check=True)
        original = db["NAME"]
        connection.close()
        db["NAME"] = target
        try:
            after = answers(api)
        finally:
            connection.close()
            db["NAME"] = original
    finally:
        with psycopg.connect(f"{url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    assert after == before
    assert before["/api/v1/patients/?ordering=risk"]["count"] == 5
