"""Clinics: per-clinic settings resolved by one function, the clinic's contact and looks in the app and in
e-mails, ``/api/v1/clinics/`` and a clinic admin who manages its clinicians and settings."""

import datetime as dt
import importlib

import pytest
from django.core.management import call_command

from exercises.models import SetLog
from notifications.deliveries import email_message, notify
from notifications.escalation import evaluate
from notifications.models import Flag
from notifications.reminders import due_slots
from patients.clinics import clinic_setting
from patients.models import Clinic, Membership, Role, User

from .factories import (
    AdminFactory,
    ClinicFactory,
    PatientFactory,
    PhysicianFactory,
    PhysioFactory,
    ProgramFactory,
    UserFactory,
)

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def strict(db):
    """A clinic whose thresholds and reminder defaults differ from the install's."""
    return ClinicFactory(
        name="Strict Tendon Clinic",
        contact_phone="+45 11 22 33 44",
        red_flag_contact="Out of hours call 1813.",
        public_url="https://strict.example.org/",
        settings={"PAIN_ABOVE": 4, "REMINDER_TIMES_ALFREDSON": ["07:30"]},
    )


def _patient_in(clinic, **kwargs):
    return PatientFactory(clinic=clinic, physio=PhysioFactory(clinics=[clinic]),
                          physician=PhysicianFactory(clinics=[clinic]), **kwargs)  # fmt: skip


def test_clinic_setting_is_the_override_else_the_install_setting(strict, settings):
    settings.PAIN_ABOVE = 5
    assert clinic_setting(strict, "PAIN_ABOVE") == 4
    assert clinic_setting(ClinicFactory(), "PAIN_ABOVE") == 5
    assert clinic_setting(None, "VISA_A_MIN_GAIN") == settings.VISA_A_MIN_GAIN
    with pytest.raises(KeyError):
        clinic_setting(strict, "SECRET_KEY")  # only the listed thresholds may be overridden


def test_settings_endpoint_gives_the_patients_clinic_rules_and_looks(api, strict):
    mine = api(_patient_in(strict).user).get("/api/v1/settings/").json()
    assert mine["pain_above"] == 4 and [z["max"] for z in mine["pain_zones"]] == [2, 4, 10]
    assert mine["clinic"]["name"] == "Strict Tendon Clinic" and mine["clinic"]["contact_phone"] == "+45 11 22 33 44"
    assert mine["clinic"]["public_url"] == "https://strict.example.org"
    theirs = api(PatientFactory().user).get("/api/v1/settings/").json()
    assert theirs["pain_above"] == 5 and theirs["clinic"]["name"] != "Strict Tendon Clinic"


def _painful_sessions(program, pain):
    for day in range(6, 20):
        rows = [SetLog(patient=program.patient, program=program, date=dt.date(2026, 3, day),
                       week=(day - 2) // 7 + 1, exercise="eccentric_heel_drop_straight", reps=15, pain=pain,
                       session=session) for session in ("am", "pm") for _ in range(3)]  # fmt: skip
        rows += [SetLog(patient=program.patient, program=program, date=dt.date(2026, 3, day),
                        week=(day - 2) // 7 + 1, exercise="eccentric_heel_drop_bent", reps=15, pain=pain,
                        session=session) for session in ("am", "pm") for _ in range(3)]  # fmt: skip
        SetLog.objects.bulk_create(rows)


def test_the_ladder_judges_pain_by_the_clinics_threshold(strict):
    strict_program = ProgramFactory(patient=_patient_in(strict, timezone="UTC"), start_date=dt.date(2026, 3, 2))
    usual_program = ProgramFactory(patient=PatientFactory(timezone="UTC"), start_date=dt.date(2026, 3, 2))
    for program in (strict_program, usual_program):
        _painful_sessions(program, pain=5)  # above the strict clinic's 4, not above the install's 5
    evaluate(now=NOW)
    [flag] = Flag.objects.filter(kind="pain")
    assert flag.patient_id == strict_program.patient_id
    assert flag.reason == "exercise pain above 4/10 in the last 3 sessions (5, 5, 5)"


def test_red_flag_advice_names_the_clinic_and_its_number(api, strict):
    patient = _patient_in(strict)
    body = {"morning_pain": 3, "morning_stiffness_minutes": 10, "red_flags": ["sudden_pop"]}
    advice = api(patient.user).post("/api/v1/checkins/", body, format="json").json()["advice"][0]
    assert advice["phone"] == "+45 11 22 33 44"
    assert "call Strict Tendon Clinic on +45 11 22 33 44" in advice["text"]
    assert advice["text"].endswith("Out of hours call 1813.")
    today = api(patient.user).get("/api/v1/today/").json()
    assert today["state"] == "red_flag" and today["advice"][0]["phone"] == "+45 11 22 33 44"
    usual = PatientFactory()
    other = api(usual.user).post("/api/v1/checkins/", body, format="json").json()["advice"][0]
    assert other["phone"] is None and "call your clinic" in other["text"]  # no number: the install's words


def test_reminder_defaults_are_the_clinics(api, strict, time_machine, settings):
    settings.REMINDER_CATCHUP_MINUTES = 5
    time_machine.move_to(dt.datetime(2026, 3, 10, 6, 31, tzinfo=dt.UTC), tick=False)  # 07:31 in Copenhagen
    strict_patient = _patient_in(strict)
    usual_patient = PatientFactory()
    for patient in (strict_patient, usual_patient):
        ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    assert api(strict_patient.user).get("/api/v1/me/reminders/").json()["times"] == ["07:30"]
    assert api(usual_patient.user).get("/api/v1/me/reminders/").json()["times"] == ["08:00", "19:00"]
    due = {pid: slot for pid, _, slot in due_slots(dt.datetime(2026, 3, 10, 6, 31, tzinfo=dt.UTC))}
    assert due == {strict_patient.id: dt.time(7, 30)}
    later = {pid for pid, _, _ in due_slots(dt.datetime(2026, 3, 10, 7, 1, tzinfo=dt.UTC))}
    assert later == {usual_patient.id}  # 08:00 for the install's default


def test_emails_link_to_the_clinics_address_and_are_signed_with_its_name(strict, settings):
    settings.APP_URL = "http://install.example.org"
    patient = _patient_in(strict)
    note, _ = notify(user=patient.user, kind="info", title="t", body="b", push_text="Open the app.",
                     dedupe_key="clinic-mail", url="/today")  # fmt: skip
    mail = email_message(note)
    assert "https://strict.example.org/today" in mail["body"]
    assert mail["body"].endswith("Strict Tendon Clinic, +45 11 22 33 44")
    other, _ = notify(user=PatientFactory().user, kind="info", title="t", body="b", push_text="p", dedupe_key="x")
    assert "http://install.example.org/" in email_message(other)["body"]


def test_clinics_list_is_the_users_own(api, strict):
    main = ClinicFactory(name="Main")
    physio, org = PhysioFactory(clinics=[strict]), AdminFactory(clinics=[strict, main])
    assert [c["name"] for c in api(physio).get("/api/v1/clinics/").json()] == ["Strict Tendon Clinic"]
    assert {c["name"] for c in api(org).get("/api/v1/clinics/").json()} == {"Strict Tendon Clinic", "Main"}
    assert len(api(AdminFactory()).get("/api/v1/clinics/").json()) == Clinic.objects.count()  # install admin
    listed = api(physio).get("/api/v1/clinics/").json()[0]
    assert listed["effective_settings"]["PAIN_ABOVE"] == 4 and listed["settings"] == strict.settings
    assert api(PatientFactory().user).get("/api/v1/clinics/").status_code == 403
    assert api(None).get("/api/v1/clinics/").status_code == 401


@pytest.fixture
def clinic_admin(strict):
    return UserFactory(role=Role.CLINIC_ADMIN, clinics=[strict])


def test_a_clinic_admin_changes_its_clinic(api, strict, clinic_admin):
    client = api(clinic_admin)
    url = f"/api/v1/clinics/{strict.id}/"
    changed = client.patch(url, {"name": "Strict Clinic", "colour": "#123abc",
                                 "settings": {"PAIN_ABOVE": None, "VISA_A_MIN_GAIN": 12}}, format="json")  # fmt: skip
    assert changed.status_code == 200, changed.content
    strict.refresh_from_db()
    assert (strict.name, strict.colour) == ("Strict Clinic", "#123abc")
    assert strict.settings == {"REMINDER_TIMES_ALFREDSON": ["07:30"], "VISA_A_MIN_GAIN": 12}  # null: the install's
    assert clinic_admin.is_superuser is False and clinic_admin.is_staff is False


@pytest.mark.parametrize(
    ("body", "field"),
    [({"settings": {"PAIN_ABOVE": 11}}, "settings"), ({"settings": {"SECRET_KEY": "x"}}, "settings"),
     ({"settings": {"PAIN_ABOVE": True}}, "settings"), ({"settings": {"REMINDER_TIMES_HSR": ["25:00"]}}, "settings"),
     ({"settings": {"NON_ADHERENCE_7D_BELOW": 0.5}, "colour": "red"}, "colour"),
     ({"contact_phone": "call us"}, "contact_phone"), ({"public_url": "not a url"}, "public_url"),
     ({"public_url": "ftp://example.com"}, "public_url")],
)  # fmt: skip
def test_bad_clinic_settings_answer_400_and_change_nothing(api, strict, clinic_admin, body, field):
    response = api(clinic_admin).patch(f"/api/v1/clinics/{strict.id}/", body | {"name": "Renamed"}, format="json")
    assert response.status_code == 400 and field in response.json()
    strict.refresh_from_db()
    assert strict.name == "Strict Tendon Clinic" and strict.settings["PAIN_ABOVE"] == 4


def test_only_the_clinics_admins_change_it(api, strict):
    url = f"/api/v1/clinics/{strict.id}/"
    assert api(PhysioFactory(clinics=[strict])).patch(url, {"name": "x"}, format="json").status_code == 403
    other_admin = UserFactory(role=Role.CLINIC_ADMIN, clinics=[ClinicFactory()])
    assert api(other_admin).patch(url, {"name": "x"}, format="json").status_code == 404
    assert api(AdminFactory(clinics=[strict])).patch(url, {"name": "Ours"}, format="json").status_code == 200


def test_a_clinic_admin_manages_its_clinicians(api, strict, clinic_admin):
    client = api(clinic_admin)
    url = f"/api/v1/clinics/{strict.id}/clinicians/"
    body = {"username": "new-physio", "password": "tendon-loading-7", "role": "physio", "email": "np@example.org"}
    created = client.post(url, body, format="json")
    assert created.status_code == 201, created.content
    user = User.objects.get(username="new-physio")
    assert user.role == "physio" and user.check_password("tendon-loading-7") and not user.is_superuser
    assert list(user.clinics.all()) == [strict]
    assert client.post(url, body | {"username": "NEW-physio"}, format="json").status_code == 400  # taken
    assert client.post(url, body | {"username": "boss", "role": "admin"}, format="json").status_code == 400
    assert {row["username"] for row in client.get(url).json()} == {clinic_admin.username, "new-physio"}
    off = client.patch(f"{url}{user.id}/", {"is_active": False}, format="json")
    assert off.status_code == 200 and off.json()["is_active"] is False
    user.refresh_from_db()
    assert user.is_active is False
    shared = PhysioFactory(clinics=[strict, ClinicFactory()])  # also works elsewhere: not this admin's to switch off
    assert client.patch(f"{url}{shared.id}/", {"is_active": False}, format="json").status_code == 400
    stranger = PhysioFactory(clinics=[ClinicFactory()])
    assert client.patch(f"{url}{stranger.id}/", {"is_active": False}, format="json").status_code == 404
    assert api(PhysioFactory(clinics=[strict])).get(url).status_code == 403
    assert api(UserFactory(role=Role.CLINIC_ADMIN, clinics=[ClinicFactory()])).get(url).status_code == 404


def test_a_clinic_admin_reads_no_patient_data(api, strict, clinic_admin):
    _patient_in(strict)
    client = api(clinic_admin)
    assert client.get("/api/v1/patients/").json()["results"] == []
    assert client.get("/api/v1/flags/").status_code == 403


def test_commands_set_up_a_clinic_and_its_clinicians(db, capsys):
    call_command("add_clinic", "--name", "Harbour Physio", "--slug", "harbour", "--phone", "+45 33 44 55 66")
    call_command("add_clinician", "--username", "kim", "--role", "clinic_admin", "--password", "tendon-loading-7",
                 "--clinic", "harbour")  # fmt: skip
    kim = User.objects.get(username="kim")
    assert kim.role == "clinic_admin" and [c.slug for c in kim.clinics.all()] == ["harbour"]
    with pytest.raises(Exception, match="No clinic with the slug nowhere"):
        call_command("add_clinician", "--username", "lee", "--role", "physio", "--password", "tendon-loading-7",
                     "--clinic", "nowhere")  # fmt: skip
    assert not User.objects.filter(username="lee").exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_every_existing_row_in_one_default_clinic():
    """0014 on the rows as they were before clinics: patients and clinicians join one default clinic; the
    install's superusers stay in none (they see every clinic)."""
    from django.apps import apps

    migration = importlib.import_module("patients.migrations.0017_default_clinic_for_existing_rows")
    physio, physician = PhysioFactory(clinics=[]), PhysicianFactory(clinics=[])
    superuser = AdminFactory(clinics=[])
    patient = PatientFactory(physio=physio, physician=physician)
    Clinic.objects.update(slug="old")  # the factory's clinic stands in for a row the migration has not seen
    migration.one_default_clinic(apps, None)
    main = Clinic.objects.get(slug="main")
    assert set(Membership.objects.values_list("user_id", "clinic_id")) == {(physio.id, main.id),
                                                                           (physician.id, main.id)}  # fmt: skip
    assert not superuser.memberships.exists() and not patient.user.memberships.exists()
    migration.one_default_clinic(apps, None)  # again: nothing doubles
    assert Membership.objects.count() == 2


def test_an_unacknowledged_red_flag_reaches_the_admins_of_the_patients_clinic_only(strict):
    from django.utils import timezone

    from notifications.models import Notification

    patient = _patient_in(strict)
    flag = Flag.objects.create(patient=patient, kind="red_flag", level="physician", reason="sudden pop")
    Flag.objects.filter(pk=flag.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    ours, theirs, install = AdminFactory(clinics=[strict]), AdminFactory(clinics=[ClinicFactory()]), AdminFactory()
    evaluate()
    told = set(Notification.objects.filter(flag=flag).values_list("user_id", flat=True))
    assert {ours.id, install.id, patient.physician_id} <= told and theirs.id not in told


def test_a_new_patient_joins_the_clinic_of_the_physio_who_enrols_them(api, strict):
    physio, physician = PhysioFactory(clinics=[strict]), PhysicianFactory(clinics=[strict])
    body = {"username": "newbie", "password": "calf-raise-2026", "timezone": "UTC", "side": "left",
            "tendinopathy": "midportion", "physician": physician.id}  # fmt: skip
    created = api(physio).post("/api/v1/patients/", body, format="json")
    assert created.status_code == 201 and created.json()["clinic"] == strict.id
    org = AdminFactory(clinics=[strict, ClinicFactory()])
    body = body | {"username": "second", "physio": physio.id}
    unnamed = api(org).post("/api/v1/patients/", body, format="json")
    assert unnamed.status_code == 400 and "several clinics" in unnamed.json()["clinic"][0]
    named = api(org).post("/api/v1/patients/", body | {"clinic": strict.id}, format="json")
    assert named.status_code == 201 and named.json()["clinic"] == strict.id


@pytest.mark.django_db
def test_invitation_and_reset_links_open_the_patients_clinic_at_its_public_address(settings):
    from patients.invitations import invitation_url
    from patients.passwords import reset_url

    settings.PUBLIC_BASE_URL = "https://app.example.org"
    clinic = ClinicFactory(public_url="https://harbour.example.org/")
    patient = PatientFactory(clinic=clinic)
    assert invitation_url("tok", clinic).startswith("https://harbour.example.org/invite#")
    assert invitation_url("tok").startswith("https://app.example.org/invite#")
    assert reset_url(patient.user).startswith("https://harbour.example.org/reset-password#")
    assert reset_url(PatientFactory().user).startswith("https://app.example.org/reset-password#")
