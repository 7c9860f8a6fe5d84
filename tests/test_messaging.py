"""Messaging: one conversation per patient with the care team, exactly once by client_id, read receipts, scope
and audit, push without the text, the out-of-hours notice, red-flag words, export, erasure and retention."""

import csv
import datetime as dt
import io
import json
import uuid

import pytest
import time_machine

from messaging.models import Message, MessageRead
from messaging.services import messages_purge
from notifications.deliveries import delivery_send
from notifications.models import Delivery
from patients.models import AuditEvent
from records.erasure import patient_erase

from .factories import AdminFactory, PatientFactory, PhysioFactory

pytestmark = pytest.mark.django_db
OPEN = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)  # a Tuesday, 11:00 in Copenhagen: the clinic is open
CLOSED = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)  # 21:00 in Copenhagen


def send(api, user, body, **extra):
    return api(user).post("/api/v1/messages/", {"body": body, **extra}, format="json")


class TestConversation:
    @pytest.fixture(autouse=True)
    def _office_hours(self, time_machine):
        time_machine.move_to(OPEN, tick=False)

    def test_a_resend_with_the_same_client_id_is_one_message_answered_200(self, api, patient):
        client_id = str(uuid.uuid4())
        first = send(api, patient.user, "Is a little soreness normal?", client_id=client_id)
        again = send(api, patient.user, "Is a little soreness normal?", client_id=client_id)
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["id"] == first.json()["id"] and Message.objects.count() == 1
        other = send(api, patient.user, "Something else", client_id=client_id)
        assert other.status_code == 409 and Message.objects.count() == 1

    def test_the_care_team_reads_and_replies_and_the_patient_sees_it_with_receipts(self, api, patient):
        asked = send(api, patient.user, "Is a little soreness normal?").json()
        assert (asked["role"], asked["author"], asked["patient"]) == ("patient", patient.user.id, patient.id)
        thread = api(patient.physio).get(f"/api/v1/messages/?patient={patient.id}").json()["results"]
        assert [m["body"] for m in thread] == ["Is a little soreness normal?"]
        read = api(patient.physio).post(f"/api/v1/messages/{asked['id']}/read/")
        assert [r["user"] for r in read.json()["read_by"]] == [patient.physio.id]
        api(patient.physio).post(f"/api/v1/messages/{asked['id']}/read/")  # twice: still one receipt
        assert MessageRead.objects.count() == 1
        reply = send(api, patient.physio, "Yes, up to 5/10 is fine.", patient=patient.id)
        assert reply.status_code == 201 and reply.json()["role"] == "physio"
        mine = api(patient.user).get("/api/v1/messages/").json()["results"]
        assert [(m["role"], m["body"]) for m in mine] == [
            ("physio", "Yes, up to 5/10 is fine."),
            ("patient", "Is a little soreness normal?"),
        ]  # newest first; the app shows the newest at the bottom

    def test_too_long_blank_or_missing_patient_is_a_400_and_nothing_is_stored(self, api, patient):
        assert send(api, patient.user, "x" * 2001).status_code == 400
        assert send(api, patient.user, "   ").status_code == 400
        assert send(api, patient.user, 0).status_code == 400  # text is a JSON string, not a number
        assert send(api, patient.physio, "Hello").status_code == 400  # staff name the patient
        assert Message.objects.count() == 0

    def test_outside_the_scope_is_404_and_audited_as_refused(self, api, patient):
        stranger = PhysioFactory()
        message = send(api, patient.user, "Hello").json()
        assert api(stranger).get(f"/api/v1/messages/?patient={patient.id}").status_code == 404
        assert send(api, stranger, "Hi", patient=patient.id).status_code == 404
        assert api(stranger).post(f"/api/v1/messages/{message['id']}/read/").status_code == 404
        other = PatientFactory()
        assert api(other.user).post(f"/api/v1/messages/{message['id']}/read/").status_code == 404
        refused = AuditEvent.objects.filter(user=stranger, patient_id=patient.id, action="refused")
        assert refused.count() == 3 and Message.objects.count() == 1

    def test_clinician_reads_are_audited_and_an_admin_gives_a_reason(self, api, patient):
        send(api, patient.user, "Hello")
        api(patient.physician).get(f"/api/v1/messages/?patient={patient.id}")
        assert AuditEvent.objects.filter(user=patient.physician, patient_id=patient.id, action="read").exists()
        admin = AdminFactory()
        assert api(admin).get(f"/api/v1/messages/?patient={patient.id}").status_code == 400
        assert api(admin).get(f"/api/v1/messages/?patient={patient.id}&reason=complaint%20review").status_code == 200
        [event] = AuditEvent.objects.filter(user=admin, patient_id=patient.id)
        assert (event.action, event.what) == ("read", "messages: complaint review")

    def test_the_inbox_lists_unread_conversations_first(self, api, physio, physician):
        quiet, waiting = (PatientFactory(physio=physio, physician=physician) for _ in range(2))
        with time_machine.travel(OPEN - dt.timedelta(hours=1), tick=False):
            send(api, waiting.user, "Unanswered question")
        read = send(api, quiet.user, "A later question, read").json()
        api(physio).post(f"/api/v1/messages/{read['id']}/read/")
        rows = api(physio).get("/api/v1/messages/inbox/").json()["results"]
        assert [(r["patient"], r["unread"]) for r in rows] == [(waiting.id, 1), (quiet.id, 0)]

    def test_a_message_naming_a_red_flag_sign_offers_the_check_in(self, api, patient):
        answer = send(api, patient.user, "I heard a pop and now I can't do a heel raise").json()
        assert answer["red_flag_signs"] == ["sudden_pop", "cannot_heel_raise"]
        assert send(api, patient.user, "Jeg har feber og hævelse").json()["red_flag_signs"] == [
            "swelling_or_redness", "fever",
        ]  # fmt: skip
        assert send(api, patient.user, "All good, sets done").json()["red_flag_signs"] == []


def test_outside_opening_hours_the_patient_gets_one_notice_pointing_to_the_red_flag_check(api, patient):
    with time_machine.travel(CLOSED, tick=False):
        first = send(api, patient.user, "Question after work").json()
        second = send(api, patient.user, "And another").json()
    assert first["notice"]["kind"] == "out_of_hours" and first["notice"]["role"] == "clinic"
    assert "red-flag questions of the check-in" in first["notice"]["body"]
    assert second["notice"] is None  # one notice per evening, not per message
    with time_machine.travel(OPEN, tick=False):
        assert send(api, patient.user, "In office hours").json()["notice"] is None
    assert Message.objects.filter(kind="out_of_hours").count() == 1


@time_machine.travel(OPEN, tick=False)
def test_the_push_and_the_email_say_only_that_there_is_a_message(api, patient, push_service, subscribe, mailoutbox):
    subscribe(patient.user, push_service)
    patient.user.email = "patient@example.org"
    patient.user.save(update_fields=["email"])
    send(api, patient.physio, "Your scan shows a partial tear", patient=patient.id)
    [delivery] = Delivery.objects.filter(channel="webpush", notification__user=patient.user)
    assert delivery_send(delivery_id=delivery.id) == "sent"
    [payload] = push_service.received
    assert payload["body"] == "New message from your clinic" and payload["url"] == "/messages"
    assert "tear" not in json.dumps(payload) and "tear" not in delivery.notification.body
    [email] = Delivery.objects.filter(channel="email")
    assert delivery_send(delivery_id=email.id) == "sent"
    [mail] = mailoutbox
    assert "New message from your clinic" in mail.body and "tear" not in mail.body + mail.subject


@time_machine.travel(OPEN, tick=False)
def test_a_conversation_and_the_inbox_take_the_same_queries_however_long(api, patient, django_assert_max_num_queries):
    def sizes():
        with django_assert_max_num_queries(20) as thread:
            api(patient.physio).get(f"/api/v1/messages/?patient={patient.id}")
        with django_assert_max_num_queries(20) as inbox:
            api(patient.physio).get("/api/v1/messages/inbox/")
        return len(thread.captured_queries), len(inbox.captured_queries)

    for n in range(2):
        message = send(api, patient.user, f"question {n}").json()
        api(patient.physio).post(f"/api/v1/messages/{message['id']}/read/")
    few = sizes()
    for n in range(6):
        send(api, PatientFactory(physio=patient.physio).user, "hello")
        send(api, patient.user, f"more {n}")
    assert sizes() == few


@time_machine.travel(OPEN, tick=False)
def test_export_includes_the_conversation_and_erasure_removes_it(api, patient, admin_user):
    send(api, patient.user, "Hello clinic")
    send(api, patient.physio, "Hello, how is it going?", patient=patient.id)
    send(api, patient.user, "=HYPERLINK(1)")  # a spreadsheet would run it: quoted in the CSV
    response = api(patient.physio).get(f"/api/v1/patients/{patient.id}/export/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["message_role"], r["message_text"]) for r in rows if r["record"] == "message"] == [
        ("patient", "Hello clinic"),
        ("physio", "Hello, how is it going?"),
        ("patient", "'=HYPERLINK(1)"),
    ]  # fmt: skip
    bundle = json.loads(b"".join(api(patient.physio).get(f"/api/v1/patients/{patient.id}/export/?format=fhir")
                                 .streaming_content))  # fmt: skip
    sent = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Communication"]
    assert [c["payload"][0]["contentString"] for c in sent][:2] == ["Hello clinic", "Hello, how is it going?"]
    patient_erase(patient=patient, by=admin_user)
    assert not Message.objects.exists()


def test_messages_past_the_retention_are_purged(settings, patient):
    with time_machine.travel(OPEN - dt.timedelta(days=400), tick=False):
        Message.objects.create(patient=patient, author=patient.user, role="patient", body="old", client_id=uuid.uuid4())
    Message.objects.create(patient=patient, author=patient.user, role="patient", body="new", client_id=uuid.uuid4())
    assert messages_purge() == 0  # 0: kept with the record
    settings.MESSAGE_RETENTION_DAYS = 365
    assert messages_purge() == 1 and list(Message.objects.values_list("body", flat=True)) == ["new"]


def test_a_clinic_sets_its_own_hours_reply_time_and_quick_replies(api, patient, admin_user):
    """Per-clinic messaging settings (Clinic.settings, edited by its admins); the environment is the default."""
    clinic = patient.clinic
    change = {"settings": {"CLINIC_OPEN_WEEKDAYS": [0, 1, 2, 3, 4, 5, 6], "CLINIC_OPENS_AT": "00:00",
                           "CLINIC_CLOSES_AT": "23:59", "MESSAGE_REPLY_WITHIN_HOURS": 4,
                           "MESSAGE_QUICK_REPLIES": ["Please book a visit", "Keep going!"]}}  # fmt: skip
    assert api(admin_user).patch(f"/api/v1/clinics/{clinic.id}/", change, format="json").status_code == 200
    clinic.refresh_from_db()
    assert clinic.settings["MESSAGE_REPLY_WITHIN_HOURS"] == 4, clinic.settings
    shown = api(patient.user).get("/api/v1/messages/clinic/").json()
    assert shown["quick_replies"] == ["Please book a visit", "Keep going!"] and shown["reply_within_hours"] == 4
    with time_machine.travel(CLOSED, tick=False):  # closed by the install's hours, open by the clinic's
        assert send(api, patient.user, "Question after work").json()["notice"] is None
    bad = {"settings": {"CLINIC_OPENS_AT": "25:00", "MESSAGE_QUICK_REPLIES": [""], "RTM_DATA_DAY": "never"}}
    answer = api(admin_user).patch(f"/api/v1/clinics/{clinic.id}/", bad, format="json")
    assert answer.status_code == 400
    clinic.refresh_from_db()
    assert clinic.settings["CLINIC_OPENS_AT"] == "00:00"  # nothing of the bad change kept
