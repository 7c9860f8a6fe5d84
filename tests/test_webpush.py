"""Web Push: subscriptions behind an allow-list, encrypted delivery, 410 Gone, retries."""

import pytest

from notifications import channels
from notifications.deliveries import delivery_send, notify
from notifications.models import Delivery, PushSubscription


def _notify(user):
    _, ids = notify(
        user=user, kind="reminder", title="Exercise reminder", body="Time for your evening heel drops.",
        push_text="Time for your evening heel drops.", dedupe_key=f"test:{user.id}",
    )  # fmt: skip
    return ids


def test_vapid_public_key_is_base64url_of_a_p256_point(api, push_service):
    import base64

    key = api(None).get("/api/v1/push/vapid-public-key/").json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65 and raw[0] == 4
    assert api(None).get("/api/v1/push/vapid-public-key/").json()["public_key"] == key  # generated once


def test_development_vapid_keys_made_by_many_at_once_are_one_whole_pair(settings, tmp_path):
    """CI saw a worker's two threads create the development key file at the same moment: one read it half
    written (JSONDecodeError) and that patient's push failed for good. Threads of one process, and processes
    (the web and the worker of a fresh start; here threads that skip the process's lock), all get one pair."""
    import json
    import threading
    from concurrent.futures import ThreadPoolExecutor

    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    settings.VAPID_AUTOGENERATE = True

    def at_once(call, count=8):
        barrier = threading.Barrier(count)
        with ThreadPoolExecutor(count) as pool:
            return list(pool.map(lambda _: (barrier.wait(), call())[1], range(count)))

    def as_another_process():
        path = settings.VAPID_KEY_FILE
        if not path.exists():
            channels._create_key_file(path)
        return tuple(json.loads(path.read_text()).values())

    for attempt in range(15):
        settings.VAPID_KEY_FILE = tmp_path / f"threads-{attempt}.json"
        assert len(set(at_once(channels.vapid_keys.__wrapped__))) == 1
        settings.VAPID_KEY_FILE = tmp_path / f"processes-{attempt}.json"
        assert len(set(at_once(as_another_process))) == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_subscription_endpoint_must_be_on_the_allow_list(api, patient, push_service):
    body = push_service.subscription()
    for endpoint in ("http://169.254.169.254/latest/meta-data", "https://evil.example/push", "file:///etc/passwd"):
        response = api(patient.user).post("/api/v1/push-subscriptions/", body | {"endpoint": endpoint}, format="json")
        assert response.status_code == 400 and "endpoint" in response.json()
    bad_keys = body | {"keys": {"p256dh": "AAAA", "auth": "!!"}}
    assert api(patient.user).post("/api/v1/push-subscriptions/", bad_keys, format="json").status_code == 400
    assert not PushSubscription.objects.exists()


def test_subscribe_and_unsubscribe_own_only(api, patient, physio, push_service, subscribe):
    subscription = subscribe(patient.user, push_service)
    assert api(physio).delete(f"/api/v1/push-subscriptions/{subscription.id}/").status_code == 404
    assert api(patient.user).delete(f"/api/v1/push-subscriptions/{subscription.id}/").status_code == 204
    assert not PushSubscription.objects.exists()


def test_delivery_is_encrypted_and_carries_only_lock_screen_text(patient, push_service, subscribe):
    subscribe(patient.user, push_service)
    [delivery_id] = _notify(patient.user)
    assert delivery_send(delivery_id=delivery_id) == "sent"
    assert push_service.received[0]["body"] == "Time for your evening heel drops."
    assert set(push_service.received[0]) == {"title", "body", "url", "notification"}
    headers = push_service.headers[0]
    assert headers["authorization"].startswith("vapid t=") and int(headers["ttl"]) > 0
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert delivery_send(delivery_id=delivery_id) == "not-claimed"  # a redelivered task sends nothing
    assert len(push_service.received) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_gone_subscription_is_deleted(patient, push_service, subscribe, status):
    subscribe(patient.user, push_service)
    [delivery_id] = _notify(patient.user)
    push_service.next_statuses = [status]
    assert delivery_send(delivery_id=delivery_id) == "gone"
    assert not PushSubscription.objects.exists()
    assert Delivery.objects.get().status == "gone"


@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limits_and_server_errors_are_retried_then_fail(patient, push_service, subscribe, settings, status):
    settings.CHANNEL_MAX_ATTEMPTS = 2
    subscribe(patient.user, push_service)
    [delivery_id] = _notify(patient.user)
    push_service.next_statuses = [status, status]
    with pytest.raises(channels.RetryableChannelError):
        delivery_send(delivery_id=delivery_id)
    assert (Delivery.objects.get().status, Delivery.objects.get().attempts) == ("pending", 1)
    assert delivery_send(delivery_id=delivery_id) == "failed"
    assert Delivery.objects.get().attempts == 2 and "push service answered" in Delivery.objects.get().last_error


def test_email_delivery(patient, mailoutbox):
    patient.user.email = "anna@example.org"
    patient.user.save()
    [delivery_id] = _notify(patient.user)
    assert delivery_send(delivery_id=delivery_id) == "sent"
    assert mailoutbox[0].to == ["anna@example.org"] and mailoutbox[0].subject == "Rehab Tracker: a message for you"
    assert mailoutbox[0].body.startswith("Time for your evening heel drops.")  # the lock-screen text, and a link


def test_notify_is_idempotent_by_key(patient):
    assert len(_notify(patient.user)) == 0  # no channels set up: in-app only
    _notify(patient.user)
    assert patient.user.notifications.count() == 1


def test_lost_deliveries_are_retried_by_the_command(patient, push_service, subscribe):
    import datetime as dt
    from io import StringIO

    from django.core.management import call_command

    subscribe(patient.user, push_service)
    [delivery_id] = _notify(patient.user)  # its task never ran
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=3)).isoformat()
    out = StringIO()
    call_command("retry_deliveries", "--now", later, stdout=out)
    assert "1 delivery(ies) retried" in out.getvalue()
    assert Delivery.objects.get(id=delivery_id).status == "sent" and len(push_service.received) == 1
    call_command("retry_deliveries", "--now", later, stdout=out)
    assert len(push_service.received) == 1


@pytest.mark.parametrize(
    ("endpoint", "allowed"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", True),
        ("https://fcm.googleapis.com.evil.example/fcm/send/abc", False),
        ("https://fcm.googleapis.com:8443/fcm/send/abc", False),
        ("https://user:pw@fcm.googleapis.com/fcm/send/abc", False),
        ("http://fcm.googleapis.com/fcm/send/abc", False),
        ("https://fcm.googleapis.com:99999999/x", False),
        ("https://updates.push.services.mozilla.com/wpush/v2/x", True),
    ],
)
def test_allow_list_matches_host_exactly(settings, endpoint, allowed):
    from notifications.channels import endpoint_allowed

    settings.WEBPUSH_ALLOWED_ENDPOINTS = ["https://fcm.googleapis.com", "https://updates.push.services.mozilla.com/"]
    assert endpoint_allowed(endpoint) is allowed
