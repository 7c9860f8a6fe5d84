"""Beat restarted twice within a minute: real beat and worker processes on Redis and the test
database. Each start of beat may run the sweep at once (django-celery-beat keeps the last run in the
database), so the sweep runs several times around the reminder's minute: it still goes exactly once."""

import datetime as dt
import signal
import subprocess
import sys

import pytest

from notifications.models import Notification, Reminder, ReminderTime

from .factories import PatientFactory, ProgramFactory
from .test_worker_killed import ROOT, process_env, start_worker
from .waiting import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def start_beat(settings, log_path) -> subprocess.Popen:
    env = process_env(settings, REMINDER_SWEEP_SECONDS="3")
    log = open(log_path, "a")  # noqa: SIM115 - lives as long as beat
    command = [sys.executable, "-m", "celery", "-A", "rehab_tracker", "beat", "--loglevel=INFO"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


def test_beat_restarted_twice_within_a_minute_sends_each_reminder_once(settings, tmp_path):
    from rehab_tracker.celery import app

    now = dt.datetime.now(dt.UTC)
    patient = PatientFactory(timezone="UTC")
    ProgramFactory(patient=patient, start_date=now.date() - dt.timedelta(days=3))
    ReminderTime.objects.create(patient=patient, local_time=now.time().replace(second=0, microsecond=0))
    app.control.purge()
    log = tmp_path / "beat.log"
    log.touch()

    def sweeps() -> int:
        return log.read_text().count("Sending due task sweep-reminders")

    def swept_again(times: int) -> bool:  # each beat runs until it has sent sweeps of its own: no fixed sleep
        start = sweeps()
        return wait_for(lambda: sweeps() >= start + times, seconds=90)

    worker = start_worker(settings)
    beats = []
    try:
        beats.append(start_beat(settings, log))
        assert swept_again(2), log.read_text()[-2000:]
        beats[-1].send_signal(signal.SIGTERM)  # a clean restart
        beats[-1].wait(timeout=60)
        beats.append(start_beat(settings, log))
        assert swept_again(2), log.read_text()[-2000:]
        beats[-1].kill()  # a crash: no clean shutdown
        beats[-1].wait(timeout=60)
        beats.append(start_beat(settings, log))
        assert wait_for(lambda: Notification.objects.filter(user=patient.user).exists(), seconds=90)
        assert swept_again(2), log.read_text()[-2000:]  # more sweeps after the send
    finally:
        for process in [*beats, worker]:
            if process.poll() is None:
                process.terminate()
        for process in [*beats, worker]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    assert sweeps() >= 6, log.read_text()[-2000:]  # each of the three beats swept at least twice
    assert Reminder.objects.filter(patient=patient).count() == 1
    assert Notification.objects.filter(user=patient.user, kind="reminder").count() == 1
