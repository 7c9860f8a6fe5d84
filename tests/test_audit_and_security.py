"""Audit trail, login lockout, CORS, and the admin dashboard."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from notifications.models import Flag
from patients.models import AuditEvent

from .factories import PASSWORD, AdminFactory, PatientFactory, ProgramFactory, SetLogFactory


def test_clinician_reads_and_writes_are_audited(api, physio, patient):
    program = ProgramFactory(patient=patient)
    client = api(physio)
    client.get(f"/api/v1/patients/{patient.id}/")
    client.get(f"/api/v1/patients/{patient.id}/timeline/")
    client.patch(f"/api/v1/programs/{program.id}/", {"status": "paused"}, format="json")
    other = PatientFactory()
    client.get(f"/api/v1/patients/{other.id}/")  # out of scope: 404, nothing read, the attempt recorded
    events = list(AuditEvent.objects.order_by("id").values_list("user_id", "patient_id", "action", "what"))
    assert events == [
        (physio.id, patient.id, "read", f"GET /api/v1/patients/{patient.id}/"),
        (physio.id, patient.id, "read", f"GET /api/v1/patients/{patient.id}/timeline/"),
        (physio.id, patient.id, "change", f"PATCH /api/v1/programs/{program.id}/"),
        (physio.id, other.id, "refused", f"GET /api/v1/patients/{other.id}/"),
    ]


def test_a_patient_reading_their_own_record_is_not_audited(api, patient):
    api(patient.user).get(f"/api/v1/patients/{patient.id}/")
    assert not AuditEvent.objects.exists()


def test_admin_reads_in_the_django_admin_are_audited(db, patient):
    admin_user = AdminFactory()
    client = Client()
    client.force_login(admin_user)
    assert client.get(f"/admin/patients/patient/{patient.id}/change/").status_code == 200
    assert AuditEvent.objects.get().what == f"admin /admin/patients/patient/{patient.id}/change/"


def test_audit_api_is_for_admins_and_filters_by_patient(api, physio, patient, admin_user):
    api(physio).get(f"/api/v1/patients/{patient.id}/")
    rows = api(admin_user).get(f"/api/v1/audit/?patient={patient.id}").json()["results"]
    assert [(r["user"], r["action"]) for r in rows] == [(physio.id, "read")]
    assert api(physio).get("/api/v1/audit/").status_code == 403
    assert api(admin_user).post("/api/v1/audit/", {}, format="json").status_code == 405


def test_audit_rows_cannot_be_changed_or_deleted(db, physio, patient, admin_user):
    event = AuditEvent.objects.create(user=physio, patient=patient, action="read", what="x")
    client = Client()
    client.force_login(admin_user)
    assert client.get(f"/admin/patients/auditevent/{event.id}/delete/").status_code == 403
    assert client.post(f"/admin/patients/auditevent/{event.id}/change/", {"what": "y"}).status_code == 403
    if connection.vendor == "postgresql":
        for write in (lambda: AuditEvent.objects.filter(pk=event.pk).update(what="y"),
                      lambda: AuditEvent.objects.filter(pk=event.pk).delete()):  # fmt: skip
            with pytest.raises(DatabaseError), transaction.atomic():
                write()
    assert AuditEvent.objects.get().what == "x"


def test_model_changes_are_logged_with_the_actor(api, physio, patient):
    from auditlog.models import LogEntry

    program = ProgramFactory(patient=patient)
    api(physio).patch(f"/api/v1/programs/{program.id}/", {"loads": {"eccentric_heel_drop_bent": 5}}, format="json")
    entry = LogEntry.objects.filter(object_pk=str(program.pk)).latest("timestamp")
    assert entry.actor == physio and "loads" in entry.changes_dict


def test_login_locks_out_after_repeated_failures(api, patient, settings):
    client = api(None)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": patient.user.username, "password": "wrong"})
    locked = client.post("/api/v1/auth/token/", {"username": patient.user.username, "password": PASSWORD})
    assert locked.status_code in (401, 403, 429) and "access" not in locked.content.decode()


def test_cors_only_for_configured_origins(api, db, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.rehab.example"]
    ok = Client().get("/api/v1/health/", HTTP_ORIGIN="https://app.rehab.example")
    other = Client().get("/api/v1/health/", HTTP_ORIGIN="https://evil.example")
    assert ok["Access-Control-Allow-Origin"] == "https://app.rehab.example"
    assert "Access-Control-Allow-Origin" not in other


def test_dashboard_renders_charts_for_staff_only(db, physio):
    for n in range(3):
        program = ProgramFactory(protocol=["alfredson", "hsr", "alfredson_insertional"][n])
        SetLogFactory(program=program)
    Flag.objects.create(patient=program.patient, kind="pain", level="physio", reason="r")
    client = Client()
    assert client.get("/admin/dashboard/").status_code == 302
    client.force_login(AdminFactory())
    page = client.get("/admin/dashboard/").content.decode()
    assert page.count("<svg") >= 5 and "hsr" in page and "Celery queue health" in page
    assert "cdn" not in page.lower() and "https://" not in page
