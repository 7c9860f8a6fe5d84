"""A worker killed (SIGKILL) in the middle of a chunk: the chunk is redelivered and nothing is sent twice.

Two real worker processes on the Redis broker and the test database. The first is
held inside a chunk by a row lock (its transaction open, waiting), killed, and a
second worker gets the unacked message back (acks_late, a short visibility timeout)
and processes the chunk, whose first attempt rolled back whole.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from notifications import reminders, tasks
from notifications.models import Notification, Reminder, ReminderTime
from rehab_tracker.celery import app

from .factories import PatientFactory, ProgramFactory
from .waiting import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent


def process_env(settings, **extra: str) -> dict:
    """The environment of a real Celery process on the test database and the test broker."""
    db = connection.settings_dict
    return os.environ | {
        "DJANGO_SETTINGS_MODULE": "rehab_tracker.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        **extra,
    }


def start_worker(settings) -> subprocess.Popen:
    env = process_env(settings) | {
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "REMINDER_QUIET_START": "",
        "REMINDER_QUIET_END": "",
    }
    command = [sys.executable, "-m", "celery", "-A", "rehab_tracker", "worker", "--pool=solo", "--loglevel=WARNING",
               "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    log = open(os.environ.get("RT_WORKER_LOG", os.devnull), "a")  # noqa: SIM115 - lives as long as the worker
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


def _waiting_on_a_lock(database: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'", [database]
        )
        return cursor.fetchone()[0] > 0


def test_killed_mid_chunk_then_redelivered_sends_each_reminder_once(settings):
    assert connection.vendor == "postgresql" and settings.CELERY_BROKER_URL.startswith("redis://")
    now = dt.datetime.now(dt.UTC).replace(second=30, microsecond=0)
    slot = now.time().replace(second=0)
    patients = []
    for _ in range(6):
        patient = PatientFactory(timezone="UTC")
        ProgramFactory(patient=patient, start_date=now.date() - dt.timedelta(days=3))
        ReminderTime.objects.create(patient=patient, local_time=slot)
        patients.append(patient)
    app.control.purge()
    ids = reminders.sweep(now=now)
    assert len(ids) == 6
    db = connection.settings_dict
    blocker = psycopg.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432)
    blocker.execute("SELECT id FROM notifications_reminder WHERE id = %s FOR UPDATE", [sorted(ids)[2]])
    first = start_worker(settings)
    try:
        tasks.process_reminders.delay(ids)
        assert wait_for(lambda: _waiting_on_a_lock(db["NAME"]), seconds=45), "first worker never reached the chunk"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()
        if first.poll() is None:
            first.kill()
    assert Reminder.objects.filter(status="queued").count() == 6  # the chunk rolled back whole
    second = start_worker(settings)
    try:
        assert wait_for(lambda: Reminder.objects.filter(status="sent").count() == 6, seconds=45), (
            "chunk not redelivered"
        )
    finally:
        second.terminate()
        second.wait(timeout=20)
    per_user = Counter(Notification.objects.values_list("user_id", flat=True))
    assert per_user == {p.user_id: 1 for p in patients}
