"""Auth, /me/, reminder settings, health, and the OpenAPI schema."""

import pytest

from .factories import PASSWORD, ProgramFactory


def test_token_refresh_and_me(api, patient):
    client = api(None)
    tokens = client.post("/api/v1/auth/token/", {"username": patient.user.username, "password": PASSWORD}).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = client.get("/api/v1/me/").json()
    assert me == {"id": patient.user.id, "username": patient.user.username, "role": "patient", "patient": patient.id,
                  "onboarded_at": None, "timezone": patient.timezone, "language": ""}  # fmt: skip
    refreshed = api(None).post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 200 and "access" in refreshed.json()


def test_clinician_me_has_no_patient(api, physio):
    me = api(physio).get("/api/v1/me/").json()
    assert me["patient"] is None and me["timezone"] is None


def test_anonymous_is_401_and_bad_password_is_401(api, patient):
    assert api(None).get("/api/v1/me/").status_code == 401
    bad = api(None).post("/api/v1/auth/token/", {"username": patient.user.username, "password": "nope"})
    assert bad.status_code == 401


def test_login_is_throttled(api, patient, settings):
    from rest_framework.throttling import ScopedRateThrottle

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"login": "3/min"}}
    ScopedRateThrottle.THROTTLE_RATES = {"login": "3/min"}
    try:
        codes = [
            api(None).post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code for _ in range(4)
        ]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = {"login": "1000/min"}
    assert codes == [401, 401, 401, 429]


def test_reminder_settings_defaults_and_patch(api, patient):
    ProgramFactory(patient=patient)
    client = api(patient.user)
    assert client.get("/api/v1/me/reminders/").json() == {
        "enabled": True,
        "timezone": "Europe/Copenhagen",
        "times": ["08:00", "19:00"],
    }
    body = client.patch("/api/v1/me/reminders/", {"times": ["20:15", "07:30"], "enabled": False}, format="json").json()
    assert body == {"enabled": False, "timezone": "Europe/Copenhagen", "times": ["07:30", "20:15"]}
    bad = client.patch("/api/v1/me/reminders/", {"times": ["25:00"], "timezone": "Nowhere/City"}, format="json")
    assert bad.status_code == 400 and {"times", "timezone"} <= set(bad.json())


def test_reminders_are_for_patients_only(api, physio):
    assert api(physio).get("/api/v1/me/reminders/").status_code == 403


@pytest.mark.services
def test_health_reports_database_and_broker(api, db):
    response = api(None).get("/api/v1/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_says_when_the_broker_is_down(api, db, settings):
    from rehab_tracker.celery import app

    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = api(None).get("/api/v1/health/")
    finally:
        app.conf.broker_url = settings.CELERY_BROKER_URL
    assert response.status_code == 200 and response.json()["broker"] == "down"


def test_schema_and_docs(api, db):
    schema = api(None).get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/logs/batch/" in schema.content
    assert api(None).get("/api/docs/").status_code == 200
