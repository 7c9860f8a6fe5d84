"""Web Push through a push service that is not ours: npm's web-push-testing (pinned in web/package.json), a
mock of the Push API that checks the request's headers and VAPID signature, decrypts the message and
answers 410 once a subscription has expired."""

import json
import os
import shutil
import socket
import subprocess

import pytest
import requests

from notifications import channels
from notifications.deliveries import delivery_send, notify
from notifications.models import Delivery, DeliveryStatus, Flag, PushSubscription

from .contract import WEB
from .waiting import wait_for

SERVER = WEB / "node_modules" / "web-push-testing" / "src" / "bin" / "server.js"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mock_push_service(settings, tmp_path):
    """web-push-testing on a free port, allowed as a Web Push endpoint, with fresh VAPID keys."""
    if shutil.which("node") is None or not SERVER.exists():
        if os.environ.get("RT_REQUIRE_SERVICES"):
            pytest.fail("node and web/node_modules (web-push-testing) are needed")
        pytest.skip("web-push-testing is not installed (./run.sh test installs it)")
    port = _free_port()
    base = f"http://localhost:{port}"
    process = subprocess.Popen(["node", str(SERVER), str(port)], cwd=WEB, stdout=subprocess.DEVNULL)

    def up():
        try:
            return requests.post(f"{base}/status", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        assert wait_for(up, seconds=30), "web-push-testing did not start"
        settings.VAPID_KEY_FILE = tmp_path / "vapid.json"
        settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
        settings.WEBPUSH_ALLOWED_ENDPOINTS = [f"{base}/notify/"]
        channels.vapid_keys.cache_clear()
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        channels.vapid_keys.cache_clear()


def _send(user, *, kind, text, flag=None) -> Delivery:
    _, ids = notify(user=user, kind=kind, title=text, body=text, push_text=text, dedupe_key=f"test:{kind}:{user.id}",
                    flag=flag)  # fmt: skip
    [delivery_id] = [i for i in ids if Delivery.objects.get(id=i).channel == "webpush"]
    delivery_send(delivery_id=delivery_id)
    return Delivery.objects.get(id=delivery_id)


def test_the_mock_push_service_decrypts_a_reminder_and_a_red_flag_and_expiry_deletes(api, patient, mock_push_service):
    user = patient.user
    user.email = ""
    user.save()
    public_key = api(None).get("/api/v1/push/vapid-public-key/").json()["public_key"]
    subscribed = requests.post(
        f"{mock_push_service}/subscribe",
        data={"userVisibleOnly": "true", "applicationServerKey": public_key},
        timeout=10,
    ).json()["data"]
    body = {"endpoint": subscribed["endpoint"], "keys": subscribed["keys"]}
    assert api(user).post("/api/v1/push-subscriptions/", body, format="json").status_code == 201

    reminder = _send(user, kind="reminder", text="Time for your evening heel drops.")
    flag = Flag.objects.create(patient=patient, kind="red_flag", level="physician", reason="A sudden pop")
    alert = _send(user, kind="flag", text="A patient needs your attention in Rehab Tracker.", flag=flag)
    assert (reminder.status, alert.status) == (DeliveryStatus.SENT, DeliveryStatus.SENT), reminder.last_error

    received = requests.post(
        f"{mock_push_service}/get-notifications", json={"clientHash": subscribed["clientHash"]}, timeout=10
    ).json()["data"]["messages"]
    assert [json.loads(m)["body"] for m in received] == [
        "Time for your evening heel drops.",
        "A patient needs your attention in Rehab Tracker.",
    ]

    requests.post(f"{mock_push_service}/expire-subscription/{subscribed['clientHash']}", timeout=10)
    gone = _send(user, kind="info", text="Please fill in your VISA-A questionnaire.")
    assert gone.status == DeliveryStatus.GONE and gone.last_error == "410"
    assert not PushSubscription.objects.filter(user=user).exists()


def test_headers_the_protocol_asks_for(patient, push_service, subscribe):
    """RFC 8030/8291: Content-Type, Content-Encoding aes128gcm, a TTL, and Urgency high for a red flag only."""
    user = patient.user
    subscribe(user, push_service)
    _send(user, kind="reminder", text="Time for your evening heel drops.")
    flag = Flag.objects.create(patient=patient, kind="red_flag", level="physician", reason="A sudden pop")
    _send(user, kind="flag", text="A patient needs your attention in Rehab Tracker.", flag=flag)
    reminder, alert = push_service.headers
    for headers in (reminder, alert):
        assert headers["content-type"] == "application/octet-stream"
        assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
    assert (reminder["urgency"], alert["urgency"]) == ("normal", "high")
