"""Export then erase one patient's data (GDPR art. 20 and 17), with the audit trail kept."""

import json
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command

from exercises.models import SetLog
from notifications.models import Flag, Notification
from patients.models import AuditEvent, CheckIn, Patient, User

from .contract import check_fhir_bundle
from .factories import AdminFactory, PatientFactory, ProgramFactory, SetLogFactory

pytestmark = pytest.mark.django_db


def test_an_admin_exports_then_erases_one_patient_and_the_trail_keeps_it(api, tmp_path):
    admin = AdminFactory()
    patient, other = PatientFactory(), PatientFactory()
    for someone in (patient, other):
        program = ProgramFactory(patient=someone)
        SetLogFactory.create_batch(3, program=program)
        CheckIn.objects.create(patient=someone, date=program.start_date, morning_pain=2, morning_stiffness_minutes=5)
        Flag.objects.create(patient=someone, kind="pain", level="physio", reason="pain 8/10")
    api(patient.physio).get(f"/api/v1/patients/{patient.id}/")  # an audited read before the request
    assert LogEntry.objects.exists()
    out = StringIO()
    call_command("erase_patient", "--patient", patient.id, "--by", admin.username, "--export", tmp_path, "--yes",
                 stdout=out)  # fmt: skip
    bundle = json.loads((tmp_path / f"patient-{patient.id}.fhir.json").read_text())
    assert bundle["resourceType"] == "Bundle" and len(bundle["entry"]) > 3
    check_fhir_bundle(bundle)  # HL7's R4 JSON schema, and every reference resolves inside the Bundle
    assert (tmp_path / f"patient-{patient.id}.csv").read_text().count("set_log") == 3
    assert not Patient.objects.filter(pk=patient.id).exists() and not User.objects.filter(pk=patient.user_id).exists()
    assert not SetLog.objects.filter(patient_id=patient.id).exists()
    assert not Flag.objects.filter(patient_id=patient.id).exists()
    assert not Notification.objects.filter(patient_id=patient.id).exists()
    assert not LogEntry.objects.filter(object_repr__contains=patient.user.username).exists()
    trail = list(AuditEvent.objects.filter(patient_id=patient.id).order_by("id").values_list("user_id", "action"))
    assert trail == [(patient.physio_id, "read"), (admin.id, "delete")]  # the trail outlives the data
    assert SetLog.objects.filter(patient=other).count() == 3 and Flag.objects.filter(patient=other).exists()
    assert "Erased patient" in out.getvalue()


def test_only_an_admin_may_erase_and_only_when_confirmed(monkeypatch):
    patient = PatientFactory()
    with pytest.raises(CommandError):
        call_command("erase_patient", "--patient", patient.id, "--by", patient.physio.username, "--yes")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError):
        call_command("erase_patient", "--patient", patient.id, "--by", AdminFactory().username)
    assert Patient.objects.filter(pk=patient.id).exists()
