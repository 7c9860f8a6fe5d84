"""Delivery through a real Celery worker on the Redis broker.

A due reminder travels sweep → process → send_delivery through Redis and a worker
to a local push service that decrypts it; redelivered or duplicated messages,
failed chunks and 410 Gone never cause a second send and never drop one.
"""

import datetime as dt

import pytest
from celery.contrib.testing.worker import start_worker

from notifications import reminders, tasks
from notifications.models import Delivery, Notification, PushSubscription, Reminder
from rehab_tracker.celery import app

from .factories import PatientFactory, ProgramFactory
from .waiting import TaskLedger, wait_for, workers_on_queues

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
AT_EIGHT = dt.datetime(2026, 3, 10, 7, 0, 5, tzinfo=dt.UTC)  # 08:00:05 in Copenhagen


@pytest.fixture(autouse=True)
def _eight_in_copenhagen(time_machine):
    time_machine.move_to(AT_EIGHT, tick=True)


@pytest.fixture
def worker(settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        yield


@pytest.fixture
def patient_with_phone(push_service, subscribe, settings):
    settings.REMINDER_QUIET_START = settings.REMINDER_QUIET_END = ""
    patient = PatientFactory(timezone="Europe/Copenhagen")
    ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    subscribe(patient.user, push_service)
    return patient


@pytest.fixture
def ledger():
    tracked = TaskLedger()
    yield tracked
    tracked.close()


def test_a_due_reminder_reaches_the_phone_once(worker, ledger, push_service, patient_with_phone):
    tasks.sweep_reminders.delay()
    tasks.sweep_reminders.delay()  # a duplicate beat tick
    assert wait_for(ledger.idle)  # both sweeps and every task they queued have run
    assert ledger.finished["notifications.tasks.sweep_reminders"] == 2
    assert push_service.received[0]["body"] == "Time for your morning heel drops."
    assert len(push_service.received) == 1
    assert Notification.objects.get(user=patient_with_phone.user).kind == "reminder"
    assert Delivery.objects.get().status == "sent"


def test_a_redelivered_chunk_sends_nothing_twice(worker, ledger, push_service, patient_with_phone):
    ids = reminders.sweep(now=AT_EIGHT)
    tasks.process_reminders.delay(ids)
    tasks.process_reminders.delay(ids)  # the same message again, as after a lost ack
    assert wait_for(ledger.idle)
    assert ledger.finished["notifications.tasks.process_reminders"] == 2
    assert len(push_service.received) == 1 and Notification.objects.count() == 1


def test_a_chunk_that_dies_midway_is_finished_by_the_next_sweep(
    worker, ledger, push_service, subscribe, settings, monkeypatch
):
    settings.REMINDER_QUIET_START = settings.REMINDER_QUIET_END = ""
    patients = [PatientFactory(timezone="Europe/Copenhagen") for _ in range(3)]
    for n, patient in enumerate(patients):
        ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
        subscribe(patient.user, push_service, name=f"phone{n}")
    real_notify_many = reminders.notify_many

    def dies_midway(notifications):
        real_notify_many(notifications[:1])  # the first one written ...
        raise SystemError("worker lost mid-chunk")  # ... then the worker dies: the chunk's transaction rolls back

    monkeypatch.setattr(reminders, "notify_many", dies_midway)
    ids = reminders.sweep(now=AT_EIGHT)
    tasks.process_reminders.delay(ids)
    assert wait_for(ledger.idle)
    assert Reminder.objects.filter(status="queued").count() == 3 and not Notification.objects.exists()
    assert push_service.received == []  # nothing left the building: deliveries go only after commit
    monkeypatch.setattr(reminders, "notify_many", real_notify_many)
    stuck = reminders.sweep(now=AT_EIGHT + dt.timedelta(minutes=3))
    assert len(stuck) == 3
    tasks.process_reminders.delay(stuck)
    assert wait_for(lambda: len(push_service.received) == 3)
    assert wait_for(ledger.idle)
    assert len(push_service.received) == 3
    assert sorted(p["notification"] for p in push_service.received) == sorted(
        Notification.objects.values_list("id", flat=True)
    )
    assert Reminder.objects.filter(status="sent").count() == 3


def test_gone_subscription_is_removed_by_the_worker(worker, push_service, patient_with_phone):
    push_service.next_statuses = [410]
    tasks.process_reminders.delay(reminders.sweep(now=AT_EIGHT))
    assert wait_for(lambda: not PushSubscription.objects.exists())
    assert wait_for(lambda: Delivery.objects.filter(status="gone").exists())
    assert Notification.objects.count() == 1  # still delivered in-app


def test_a_busy_push_service_is_retried_with_backoff(worker, push_service, patient_with_phone):
    push_service.next_statuses = [429, 503]
    tasks.process_reminders.delay(reminders.sweep(now=AT_EIGHT))
    # The push service holds the message before the worker has read its 201: wait for the row to say sent.
    assert wait_for(lambda: Delivery.objects.filter(status="sent").exists(), seconds=120)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 3)


def test_a_hanging_push_service_does_not_hold_up_other_patients(settings, push_service, subscribe, ledger):
    """One patient's push service accepts and does not answer. On a real worker (two threads, as the two
    worker processes of `run.sh start`), the other patient's reminder arrives while the hung request is still
    held open (its timeout far away: no race with the machine's speed); once the service goes away, the hung
    delivery is retried with backoff, and nothing is sent twice. (The timeout itself: test_faults.)"""
    from .test_faults import HangingPushService

    hanging = HangingPushService()
    settings.WEBPUSH_TIMEOUT = 300.0
    settings.WEBPUSH_ALLOWED_ENDPOINTS = [push_service.prefix, hanging.prefix]
    settings.REMINDER_QUIET_START = settings.REMINDER_QUIET_END = ""
    stuck, fine = PatientFactory(timezone="Europe/Copenhagen"), PatientFactory(timezone="Europe/Copenhagen")
    for patient in (stuck, fine):
        ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    PushSubscription.objects.create(user=stuck.user, endpoint=f"{hanging.prefix}push/stuck",
                                    **push_service.subscription()["keys"])  # fmt: skip
    subscribe(fine.user, push_service)
    app.control.purge()
    try:
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, loglevel="WARNING",
                          shutdown_timeout=30):  # fmt: skip
            tasks.process_reminders.delay(reminders.sweep(now=AT_EIGHT))
            hung = lambda: Delivery.objects.get(target=str(PushSubscription.objects.get(user=stuck.user).id))  # noqa: E731
            assert wait_for(lambda: push_service.received, seconds=120)
            assert hanging.held and (hung().status, hung().attempts) == ("sending", 1)  # still waiting for it
            hanging.close()  # the held request fails; its retry finds the service gone and is retried again
            assert wait_for(lambda: hung().attempts >= 2, seconds=120)  # failed, then retried
            assert hung().status in ("pending", "sending")
    finally:
        hanging.close()
    assert len(push_service.received) == 1
    assert Notification.objects.filter(user=fine.user).count() == 1
    assert Delivery.objects.filter(notification__user=fine.user, channel="webpush", status="sent").count() == 1


def test_a_red_flag_push_goes_out_while_the_default_queue_is_backed_up(settings, push_service, subscribe, api):
    """The default queue's worker busy for as long as it takes (here: none at all, its queue backed up with
    an hour's work, as behind the evaluation); the alerts worker alone delivers the red flag at once."""
    patient = PatientFactory()
    ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    subscribe(patient.physician, push_service)
    app.control.purge()
    for _ in range(5):
        tasks.evaluate_patients.delay()  # waiting on the default queue, which no worker here takes
    common = {"pool": "solo", "perform_ping_check": False, "loglevel": "WARNING", "shutdown_timeout": 30}
    with workers_on_queues(app, [("alerts@test", [settings.CELERY_ALERTS_QUEUE])], **common):
        checkin = {"morning_pain": 2, "morning_stiffness_minutes": 5, "red_flags": ["sudden_pop"]}
        assert api(patient.user).post("/api/v1/checkins/", checkin, format="json").status_code == 201
        assert wait_for(lambda: push_service.received, seconds=60)
    with app.connection_for_read() as conn:  # the default queue's work is all still waiting
        waiting = conn.default_channel.queue_declare(queue=settings.CELERY_TASK_DEFAULT_QUEUE, passive=True)
    assert waiting.message_count == 5
    delivery = Delivery.objects.get(notification__user=patient.physician, channel="webpush")
    assert delivery.status == "sent" and len(push_service.received) == 1
