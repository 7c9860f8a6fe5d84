"""Management commands: add_clinician and seed_demo."""

import pytest
from django.core.management import CommandError, call_command

from exercises.models import Program, SetLog
from patients.models import Patient, User


def test_add_clinician_with_password(db, capsys):
    call_command("add_clinician", "--username", "kim", "--role", "physio", "--password", "tendon-loading-7")
    user = User.objects.get(username="kim")
    assert user.role == "physio" and user.check_password("tendon-loading-7") and not user.is_staff
    assert "Created physio kim" in capsys.readouterr().out


def test_add_clinician_admin_is_staff_and_prompts(db, monkeypatch):
    answers = iter(["tendon-loading-7", "tendon-loading-7"])
    monkeypatch.setattr("patients.management.commands.add_clinician.getpass", lambda prompt: next(answers))
    call_command("add_clinician", "--username", "boss", "--role", "admin")
    assert User.objects.get(username="boss").is_superuser


@pytest.mark.parametrize(
    "args",
    [["--username", "weak", "--role", "physician", "--password", "123"], ["--username", "x", "--role", "patient"]],
)
def test_add_clinician_refuses_bad_input(db, args):
    with pytest.raises((CommandError, SystemExit)):
        call_command("add_clinician", *args)
    assert not User.objects.exists()


def test_seed_demo_is_idempotent_and_prints_logins(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "demo-physio" in out and "rehab-demo-2026" in out and "already present" in out
    # one past week 12 (demo-after)
    assert Patient.objects.count() == 6 and Program.objects.filter(status="active").count() == 5
    # two clinics: the first keeps the five demo patients, the second has its own team and patient
    by_clinic = {p.user.username: p.clinic.slug for p in Patient.objects.select_related("user", "clinic")}
    assert by_clinic.pop("demo-harbour") == "harbour" and set(by_clinic.values()) == {"main"}
    assert "demo-harbour-physio" in out and "demo-clinic-admin" in out
    assert SetLog.objects.count() > 100


def test_seed_bulk_writes_patients_programs_and_logs(db, capsys):
    call_command("seed_demo", "--patients", "7", "--weeks", "2", "--per-physio", "3")
    assert Patient.objects.count() == 7 and User.objects.filter(role="physio").count() == 3
    assert SetLog.objects.count() > 0
    assert "7 patients" in capsys.readouterr().out
