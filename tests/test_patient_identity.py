"""Who the patient is: name, date of birth, e-mail, mobile and record number on the caseload, the patient's
page and the FHIR export; older rows without them show the username; sign-in by e-mail only when it is one
account's."""

import datetime as dt
import json

from fhir.resources.R4B.bundle import Bundle

from patients import services
from patients.models import Patient, User
from patients.selectors import patient_display_name

from .contract import fhir_schema_errors
from .factories import PASSWORD, ClinicFactory, PatientFactory, UserFactory


def named(physio, physician, **user):
    return PatientFactory(
        physio=physio, physician=physician, birth_date=dt.date(1980, 4, 2), phone="+4512345678", record_number="K-1042",
        user=UserFactory(first_name="Anna Marie", last_name="Jensen", email="anna@example.org", **user),
    )  # fmt: skip


def test_the_caseload_shows_names_and_finds_record_numbers(api, physio, physician):
    anna = named(physio, physician)
    older = PatientFactory(physio=physio, physician=physician)  # enrolled before identity was recorded
    rows = {r["id"]: r for r in api(physio).get("/api/v1/patients/").json()["results"]}
    assert rows[anna.id]["display_name"] == "Anna Marie Jensen"
    assert (rows[anna.id]["phone"], rows[anna.id]["birth_date"]) == ("+4512345678", "1980-04-02")
    assert rows[older.id]["display_name"] == older.user.username and rows[older.id]["birth_date"] is None
    found = api(physio).get("/api/v1/patients/", {"search": "k-104"}).json()["results"]
    assert [r["id"] for r in found] == [anna.id]
    assert patient_display_name(patient=older) == older.user.username


def test_the_fhir_patient_carries_name_birth_date_telecom_and_record_number(api, physio, physician):
    anna = named(physio, physician)
    response = api(physio).get(f"/api/v1/patients/{anna.id}/export/?format=fhir")
    raw = b"".join(response.streaming_content).decode()
    Bundle.model_validate_json(raw)
    bundle = json.loads(raw)
    patient = bundle["entry"][0]["resource"]
    assert patient["name"] == [{"use": "official", "text": "Anna Marie Jensen", "family": "Jensen",
                                "given": ["Anna", "Marie"]}]  # fmt: skip
    assert patient["birthDate"] == "1980-04-02"
    assert patient["telecom"] == [{"system": "email", "value": "anna@example.org"},
                                  {"system": "phone", "value": "+4512345678", "use": "mobile"}]  # fmt: skip
    record = patient["identifier"][1]
    assert (record["value"], record["type"]["coding"][0]["code"]) == ("K-1042", "MR")
    assert fhir_schema_errors(bundle) == []
    older = PatientFactory(physio=physio, physician=physician)
    plain = json.loads(b"".join(api(physio).get(f"/api/v1/patients/{older.id}/export/?format=fhir").streaming_content))
    assert set(plain["entry"][0]["resource"]) == {"resourceType", "id", "identifier"}  # no empty strings
    assert fhir_schema_errors(plain) == []


def test_sign_in_by_email_only_when_one_account_has_it(api, physio, physician):
    anna = named(physio, physician)
    login = {"username": "Anna@Example.org", "password": PASSWORD}
    assert api(None).post("/api/v1/auth/token/", login).status_code == 200
    PatientFactory(user=UserFactory(email="anna@example.org"))  # a parent's address, shared by two accounts
    assert api(None).post("/api/v1/auth/token/", login).status_code == 401
    by_username = {"username": anna.user.username, "password": PASSWORD}
    assert api(None).post("/api/v1/auth/token/", by_username).status_code == 200


def test_the_physio_corrects_an_address_and_only_the_care_team_may(api, physio, physician):
    anna = named(physio, physician)
    new_contact = {"email": "anna.j@example.org", "phone": "0045 87 65 43 21"}
    fixed = api(physio).patch(f"/api/v1/patients/{anna.id}/", new_contact)
    assert fixed.status_code == 200
    assert (fixed.json()["email"], fixed.json()["phone"], fixed.json()["last_name"]) == (
        "anna.j@example.org", "+4587654321", "Jensen")  # fmt: skip
    bad = api(physio).patch(f"/api/v1/patients/{anna.id}/", {"first_name": "Ann", "phone": "12"})
    assert bad.status_code == 400 and "phone" in bad.json()
    anna.user.refresh_from_db()
    assert anna.user.first_name == "Anna Marie"  # nothing half-saved
    assert api(physician).patch(f"/api/v1/patients/{anna.id}/", {"first_name": "X"}).status_code == 403
    assert api(anna.user).patch(f"/api/v1/patients/{anna.id}/", {"first_name": "X"}).status_code == 403
    other = PatientFactory()
    assert api(physio).patch(f"/api/v1/patients/{other.id}/", {"first_name": "X"}).status_code == 404


ENROL = {"first_name": "Bo", "last_name": "Holm", "email": "bo@example.org", "timezone": "Europe/Copenhagen",
         "side": "left", "tendinopathy": "midportion"}  # fmt: skip


def test_a_record_number_names_one_patient_per_clinic(api, physio, physician):
    anna = named(physio, physician)  # K-1042 at the main clinic
    enrol = ENROL | {"physician": physician.id, "record_number": "K-1042"}
    taken = api(physio).post("/api/v1/patients/", enrol, format="json")
    assert taken.status_code == 400
    assert taken.json()["record_number"] == ["Another patient at this clinic has this record number."]
    assert not User.objects.filter(email="bo@example.org").exists()  # no account left behind
    bo = api(physio).post("/api/v1/patients/", enrol | {"record_number": "K-1043"}, format="json").json()
    moved = api(physio).patch(f"/api/v1/patients/{bo['id']}/", {"first_name": "Bodil", "record_number": "K-1042"})
    assert moved.status_code == 400 and "record_number" in moved.json()
    assert Patient.objects.get(pk=bo["id"]).user.first_name == "Bo"  # nothing half-saved
    assert api(physio).patch(f"/api/v1/patients/{anna.id}/", {"record_number": "K-1042"}).status_code == 200  # its own
    PatientFactory(physio=physio, physician=physician)  # blank numbers: as many as there are
    PatientFactory(physio=physio, physician=physician)
    elsewhere = ClinicFactory()
    PatientFactory(clinic=elsewhere, record_number="K-1042")  # another clinic numbers its own patients


def test_two_requests_racing_past_the_check_get_the_same_400(api, physio, physician, monkeypatch):
    named(physio, physician)
    monkeypatch.setattr(services, "_check_record_number", lambda *a, **k: None)  # as if both checked at once
    enrol = ENROL | {"physician": physician.id, "record_number": "K-1042"}
    raced = api(physio).post("/api/v1/patients/", enrol, format="json")
    assert raced.status_code == 400 and raced.json()["record_number"] == [services.RECORD_NUMBER_TAKEN]
    assert not User.objects.filter(email="bo@example.org").exists()
