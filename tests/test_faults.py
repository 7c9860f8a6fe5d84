"""Faults survived: what is kept when Redis is down, when the clock jumps back."""

import datetime as dt
import time

import pytest
from django.db import connection

from notifications import reminders
from notifications.deliveries import inline_delivery
from notifications.models import Delivery, Flag, Notification, Reminder
from rehab_tracker.celery import app

from .factories import PatientFactory, ProgramFactory

UTC = dt.UTC


@pytest.fixture
def redis_down(settings):
    """The broker address points at a closed port, as when Redis is down."""
    dead = "redis://127.0.0.1:1/0"
    old = app.conf.broker_url
    app.conf.broker_url = dead
    settings.CELERY_BROKER_URL = dead
    _new_pool()
    yield
    app.conf.broker_url = old
    settings.CELERY_BROKER_URL = old
    _new_pool()


def _new_pool():
    app._after_fork()  # Celery's own reset: the next publish connects to the current broker_url


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_check_ins_are_stored_flags_raised_and_nothing_hangs(api, redis_down, push_service, subscribe):
    patient = PatientFactory(timezone="UTC")
    ProgramFactory(patient=patient, start_date=dt.date.today() - dt.timedelta(days=5))
    subscribe(patient.physician, push_service)
    began = time.monotonic()
    response = api(patient.user).post(
        "/api/v1/checkins/", {"morning_pain": 7, "morning_stiffness_minutes": 10, "red_flags": ["sudden_pop"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201 and time.monotonic() - began < 5
    assert Flag.objects.get().kind == "red_flag"
    pending = Delivery.objects.filter(status="pending")
    assert pending.count() == 1  # the physician's push waits in the database for the retry sweep
    health = api(None).get("/api/v1/health/")
    assert health.status_code == 200 and health.json() == {"status": "degraded", "database": "ok", "broker": "down"}


@pytest.mark.django_db
def test_a_clock_that_jumps_back_an_hour_resends_nothing(settings):
    settings.REMINDER_QUIET_START = settings.REMINDER_QUIET_END = ""
    patient = PatientFactory(timezone="Europe/Copenhagen")
    ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    start = dt.datetime(2026, 3, 10, 6, 50, tzinfo=UTC)  # 07:50 in Copenhagen

    def minute_by_minute(first, minutes):
        for n in range(minutes):
            now = first + dt.timedelta(minutes=n)
            with inline_delivery():
                reminders.process(reminder_ids=reminders.sweep(now=now), now=now)

    minute_by_minute(start, 40)  # through 08:00 ...
    minute_by_minute(start - dt.timedelta(minutes=20), 80)  # ... then the host clock is an hour behind, and back
    assert Reminder.objects.filter(patient=patient).count() == 1
    assert Notification.objects.filter(user=patient.user).count() == 1
    assert connection.vendor in ("postgresql", "sqlite")


class HangingPushService:
    """Accepts connections and reads requests, never answers (a push service that hangs)."""

    def __init__(self):
        import socket
        import threading

        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.held: list = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.held.append(conn)  # keep it open, say nothing

    @property
    def prefix(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/"

    def close(self):
        for conn in self.held:
            conn.close()
        self.server.close()


@pytest.mark.django_db
def test_a_hanging_push_service_times_out_and_is_retried_while_others_are_sent(settings, push_service):
    from notifications import channels
    from notifications.deliveries import delivery_send, notify
    from notifications.models import PushSubscription

    hanging = HangingPushService()
    try:
        settings.WEBPUSH_TIMEOUT = 1.0
        settings.WEBPUSH_ALLOWED_ENDPOINTS = [push_service.prefix, hanging.prefix]
        stuck, fine = PatientFactory(), PatientFactory()
        keys = push_service.subscription()["keys"]
        PushSubscription.objects.create(user=stuck.user, endpoint=f"{hanging.prefix}push/x", **keys)
        PushSubscription.objects.create(user=fine.user, endpoint=push_service.subscription()["endpoint"], **keys)
        _, [hung_id] = notify(user=stuck.user, kind="info", title="t", body="b", push_text="p", dedupe_key="h1")
        _, [fine_id] = notify(user=fine.user, kind="info", title="t", body="b", push_text="p", dedupe_key="f1")
        began = time.monotonic()
        with pytest.raises(channels.RetryableChannelError):
            delivery_send(delivery_id=hung_id)
        assert time.monotonic() - began < 5  # the timeout, not forever
        hung = Delivery.objects.get(pk=hung_id)
        assert (hung.status, hung.attempts) == ("pending", 1)  # left for the task's backoff retry
        assert delivery_send(delivery_id=fine_id) == "sent" and len(push_service.received) == 1
    finally:
        hanging.close()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_with_the_database_gone_a_request_gets_503_with_a_retry_hint_then_recovers(api, patient):
    client = api(patient.user)
    assert client.get("/api/v1/me/").status_code == 200
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"  # as if PostgreSQL were restarting: connections refused
    try:
        response = client.get("/api/v1/today/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "retry" in response.json()["detail"]
    assert client.get("/api/v1/me/").status_code == 200  # the next request connects again, nothing restarted
