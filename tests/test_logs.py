"""Structured logs with a request id that follows the request into its tasks; no personal data."""

import json
import logging
from io import StringIO

import pytest
from celery import signals
from django.core.management import call_command

from core.logs import JsonFormatter, request_id

pytestmark = pytest.mark.django_db


def test_each_answer_names_its_request_id_and_a_proxys_is_kept(api, patient):
    mine = api(patient.user).get("/api/v1/me/")["X-Request-ID"]
    assert len(mine) == 32
    given = api(patient.user).get("/api/v1/me/", HTTP_X_REQUEST_ID="edge-1234abcd")["X-Request-ID"]
    assert given == "edge-1234abcd"
    odd = api(patient.user).get("/api/v1/me/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert odd != "<script>" and len(odd) == 32


def test_a_log_line_is_json_with_the_request_id():
    token = request_id.set("abc12345")
    try:
        line = JsonFormatter().format(
            logging.LogRecord("notifications", logging.WARNING, "x", 1, "sent %d", (3,), None)
        )
    finally:
        request_id.reset(token)
    assert json.loads(line) | {"time": "-"} == {
        "time": "-", "level": "WARNING", "logger": "notifications", "request_id": "abc12345", "message": "sent 3"
    }  # fmt: skip


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_tasks_queued_by_a_request_carry_its_request_id(api, patient, push_service, subscribe):
    """A red-flag check-in queues the physician's push after its commit, still inside the request."""
    subscribe(patient.physician, push_service)
    published = []

    def capture(sender=None, headers=None, **kwargs):
        published.append((sender, (headers or {}).get("request_id")))

    signals.before_task_publish.connect(capture, weak=False)
    try:
        body = {"morning_pain": 8, "morning_stiffness_minutes": 5, "red_flags": ["fever"]}
        response = api(patient.user).post("/api/v1/checkins/", body, format="json", HTTP_X_REQUEST_ID="req-5678abcd")
    finally:
        signals.before_task_publish.disconnect(capture)
    assert response.status_code == 201
    assert published == [("notifications.tasks.send_delivery", "req-5678abcd")]


def test_the_walkthrough_logs_no_usernames_or_names(api, caplog):
    caplog.set_level(logging.DEBUG)
    call_command("seed_demo", stdout=StringIO())
    client = api(None)
    token = client.post("/api/v1/auth/token/", {"username": "demo-physio", "password": "rehab-demo-2026"}).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access']}")
    rows = client.get("/api/v1/patients/?ordering=risk").json()["results"]
    for row in rows:
        client.get(f"/api/v1/patients/{row['id']}/timeline/")
        client.get(f"/api/v1/patients/{row['id']}/export/?format=csv")
    client.get("/api/v1/patients/999999/")  # a 404 is logged
    client.post("/api/v1/auth/token/", {"username": "demo-alfredson", "password": "wrong"})  # a failed login too
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records  # something was logged ...
    for secret in ("demo-physio", "demo-alfredson", "demo-insertional", "demo-hsr", "demo-lapsing", "rehab-demo"):
        assert secret not in text  # ... but never a username or a password
