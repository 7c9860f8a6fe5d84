"""Enrolment by invitation: the physio gives the patient's name and e-mail or mobile number; the patient gets
a one-time link (hashed in the database, expiring, spent once, replaced by a re-send) and sets a password."""

import datetime as dt
import re

import pytest
from django.core import mail

from core.logs import JsonFormatter
from patients import sms
from patients.invitations import token_hash
from patients.models import Invitation, Patient

from .factories import PatientFactory, PhysioFactory

ENROL = {"first_name": "Anna", "last_name": "Jensen", "birth_date": "1980-04-02", "timezone": "Europe/Copenhagen",
         "side": "left", "tendinopathy": "midportion"}  # fmt: skip
NEW_PASSWORD = "heel-drop-stairs-9"


def enrol(api, physio, physician, **extra):
    response = api(physio).post("/api/v1/patients/", ENROL | {"physician": physician.id} | extra, format="json")
    assert response.status_code == 201, response.content
    return Patient.objects.select_related("user").get(pk=response.json()["id"])


def invite(api, user, patient, **extra):
    return api(user).post("/api/v1/invitations/", {"patient": patient.id} | extra, format="json")


def token_in(text: str) -> str:
    return re.search(r"https://clinic\.example/invite#([\w-]+)", text).group(1)


def accept(api, token, password=NEW_PASSWORD):
    return api(None).post(f"/api/v1/invitations/{token}/accept/", {"password": password}, format="json")


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()


def test_enrol_by_email_invites_and_the_patient_signs_in_with_their_email(api, physio, physician):
    patient = enrol(api, physio, physician, email="anna@example.org", record_number="K-1042")
    row = api(physio).get(f"/api/v1/patients/{patient.id}/").json()
    assert (row["display_name"], row["email"], row["birth_date"], row["record_number"]) == (
        "Anna Jensen", "anna@example.org", "1980-04-02", "K-1042")  # fmt: skip
    assert row["username"].startswith("p-") and not patient.user.has_usable_password()

    sent = invite(api, physio, patient)
    assert sent.status_code == 201
    body = sent.json()
    assert (body["channel"], body["delivered"]) == ("email", True)
    assert body["url"].startswith("https://clinic.example/invite#")  # the public address, not the request's host
    assert body["qr_svg"].startswith("data:image/svg+xml")
    [message] = mail.outbox
    assert message.to == ["anna@example.org"] and "Anna Jensen" in message.body
    token = token_in(message.body)
    assert token_in(body["url"]) == token
    stored = Invitation.objects.get()
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash  # only the hash is kept
    assert stored.expires_at - stored.created_at == dt.timedelta(days=7)

    accepted = accept(api, token)
    assert accepted.status_code == 200
    me = api(None)
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {accepted.json()['access']}")
    assert me.get("/api/v1/me/").json()["patient"] == patient.id  # signed in
    sign_in = api(None).post("/api/v1/auth/token/", {"username": "ANNA@example.org", "password": NEW_PASSWORD})
    assert sign_in.status_code == 200


def test_a_link_works_once(api, physio, physician):
    patient = enrol(api, physio, physician, email="anna@example.org")
    token = token_in(invite(api, physio, patient).json()["url"])
    assert accept(api, token).status_code == 200
    again = accept(api, token, password="another-long-pass-7")
    assert again.status_code == 404 and "no longer works" in again.json()["detail"]
    patient.user.refresh_from_db()
    assert patient.user.check_password(NEW_PASSWORD)


def test_an_expired_link_fails_and_a_resend_invalidates_the_old_one(api, physio, physician, time_machine):
    time_machine.move_to(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC), tick=False)
    patient = enrol(api, physio, physician, email="anna@example.org")
    first = token_in(invite(api, physio, patient).json()["url"])
    time_machine.move_to(dt.datetime(2026, 5, 8, 9, 0, 1, tzinfo=dt.UTC), tick=False)  # 7 days and a second
    assert accept(api, first).status_code == 404

    time_machine.move_to(dt.datetime(2026, 5, 8, 10, tzinfo=dt.UTC), tick=False)
    old = token_in(invite(api, physio, patient).json()["url"])
    new = token_in(invite(api, physio, patient).json()["url"])  # sent again: the one before stops working
    assert len(mail.outbox) == 3
    assert accept(api, old).status_code == 404
    assert accept(api, new).status_code == 200
    assert Invitation.objects.filter(patient=patient, accepted_at=None, revoked_at=None).count() == 0


def test_a_weak_password_is_a_400_and_the_link_stays_valid(api, physio, physician):
    patient = enrol(api, physio, physician, email="anna@example.org")
    token = token_in(invite(api, physio, patient).json()["url"])
    weak = accept(api, token, password="anna")
    assert weak.status_code == 400 and "password" in weak.json()
    assert accept(api, token).status_code == 200
    assert accept(api, "not-a-token").status_code == 404


def test_by_mobile_number_a_text_message_carries_the_link(api, physio, physician):
    patient = enrol(api, physio, physician, phone="+45 12 34 56 78")
    assert patient.phone == "+4512345678"
    body = invite(api, physio, patient).json()
    assert (body["channel"], body["delivered"]) == ("sms", True) and not mail.outbox
    [text] = sms.outbox
    assert text.to == "+4512345678" and body["url"] in text.body
    assert accept(api, token_in(text.body)).status_code == 200
    by_number = api(None).post("/api/v1/auth/token/", {"username": "004512345678", "password": NEW_PASSWORD})
    assert by_number.status_code == 200
    screen = invite(api, physio, patient, channel="screen").json()  # the QR code only: nothing sent
    assert (screen["delivered"], len(sms.outbox)) == (False, 1)
    no_email = invite(api, physio, patient, channel="email")
    assert no_email.status_code == 400 and "channel" in no_email.json()


@pytest.mark.parametrize(
    ("extra", "field"),
    [({}, "email"), ({"email": "not-an-address"}, "email"), ({"phone": "12"}, "phone"),
     ({"first_name": "", "email": "a@example.org"}, "first_name"),
     ({"birth_date": "2999-01-01", "email": "a@example.org"}, "birth_date")],
)  # fmt: skip
def test_enrolment_without_a_username_needs_a_name_and_a_way_to_reach_the_patient(api, physio, physician, extra, field):
    response = api(physio).post("/api/v1/patients/", ENROL | {"physician": physician.id} | extra, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Patient.objects.exists()


def test_invitations_are_for_the_patients_physio_only(api, physio, physician, patient):
    other_physio = PhysioFactory()
    assert invite(api, other_physio, patient).status_code == 404  # not in their caseload: not revealed
    assert invite(api, physician, patient).status_code == 403
    assert invite(api, patient.user, patient).status_code == 403
    assert invite(api, physio, PatientFactory(physio=other_physio)).status_code == 404
    assert invite(api, physio, patient).status_code == 201  # no address: shown on screen
    assert not Invitation.objects.exclude(patient=patient).exists()


def test_no_log_line_carries_the_token_or_the_patients_details(api, physio, physician, caplog):
    patient = enrol(api, physio, physician, email="anna@example.org", phone="+4512345678")
    token = token_in(invite(api, physio, patient).json()["url"])
    assert accept(api, token, password="anna").status_code == 400  # Django logs "Bad Request: <path>"
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any("/invitations/" in line for line in lines)
    assert not [line for line in lines if token in line or "anna@example.org" in line or "4512345678" in line]
