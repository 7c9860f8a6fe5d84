"""Security over HTTP, as a tester drives it: write limits, sessions that cannot fork, the
sign-in lockout behind a proxy, odd sign-in input, and the smaller findings. Each fails if its hole opens again."""

import datetime as dt
import sys
import threading
import uuid

import pytest
import requests
from axes.models import AccessAttempt
from django.db import DatabaseError, connection, transaction
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.tokens import RefreshToken

from exercises.models import SetLog
from notifications.models import PushSubscription
from patients.models import AuditEvent, CheckIn

from .factories import PASSWORD, AdminFactory, PatientFactory, ProgramFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


def rates(settings, **scopes):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **scopes},
    }


def production_rates(settings):
    """The rates a clinic runs with (rehab_tracker/settings.py's defaults), not the suite's generous ones."""
    from rehab_tracker import settings as production

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": production.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    }


@pytest.fixture
def program(patient, time_machine):
    time_machine.move_to(NOW, tick=False)
    return ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))


def set_log(day: dt.date, **extra) -> dict:
    return {"client_id": str(uuid.uuid4()), "date": day.isoformat(), "exercise": "eccentric_heel_drop_straight",
            "reps": 15, "pain": 2, "session": "am", **extra}  # fmt: skip


def checkin(**extra) -> dict:
    return {"morning_pain": 2, "morning_stiffness_minutes": 5, **extra}


class TestWriteLimits:
    def test_a_flood_of_set_logs_is_a_429_with_retry_after_and_nothing_stored(self, api, program, settings):
        rates(settings, set_logs="30/day")
        client = api(program.patient.user)
        first = client.post("/api/v1/logs/batch/", [set_log(dt.date(2026, 3, 9)) for _ in range(25)], format="json")
        assert first.status_code == 200
        flood = client.post("/api/v1/logs/batch/", [set_log(dt.date(2026, 3, 9)) for _ in range(10)], format="json")
        assert flood.status_code == 429 and int(flood["Retry-After"]) > 0
        single = client.post("/api/v1/logs/", set_log(dt.date(2026, 3, 9)), format="json")
        assert single.status_code == 201  # 26 of 30: a batch that does not fit is refused whole
        assert SetLog.objects.count() == 26

    def test_every_write_counts_per_user_and_reads_do_not(self, api, program, settings):
        rates(settings, write_burst="3/min")
        client = api(program.patient.user)
        codes = [client.post("/api/v1/checkins/", checkin(), format="json").status_code for _ in range(4)]
        assert codes == [201, 201, 201, 429]
        refused = client.patch("/api/v1/me/reminders/", {"enabled": False}, format="json")
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        assert client.get("/api/v1/checkins/").status_code == 200
        other = ProgramFactory(start_date=dt.date(2026, 3, 2)).patient
        assert api(other.user).post("/api/v1/checkins/", checkin(), format="json").status_code == 201
        assert CheckIn.objects.count() == 4

    def test_token_refreshes_count_per_user_not_per_address(self, api, settings):
        """Phones behind one carrier address (CGNAT) each refresh within their own limit; a token that does
        not verify counts against the address."""
        rates(settings, write_burst="2/min")
        anna, bo = (PatientFactory().user for _ in range(2))
        client = api(None)  # no access token, as a phone whose access token ran out; one REMOTE_ADDR for all
        tokens = {user.pk: str(RefreshToken.for_user(user)) for user in (anna, bo)}
        for user in (anna, bo):
            for _ in range(2):
                answer = client.post("/api/v1/auth/token/refresh/", {"refresh": tokens[user.pk]}, format="json")
                assert answer.status_code == 200
                tokens[user.pk] = answer.json()["refresh"]
        third = client.post("/api/v1/auth/token/refresh/", {"refresh": tokens[anna.pk]}, format="json")
        assert third.status_code == 429  # the user's own limit still holds
        elsewhere = api(None).post("/api/v1/auth/token/refresh/", {"refresh": tokens[anna.pk]}, format="json",
                                   REMOTE_ADDR="10.9.8.7")  # fmt: skip
        assert elsewhere.status_code == 200  # a replayed token at one address cannot lock her out at another
        forged = [client.post("/api/v1/auth/token/refresh/", {"refresh": "not-a-token"}, format="json").status_code
                  for _ in range(3)]  # fmt: skip
        assert forged == [401, 401, 429]

    def test_a_phone_back_after_a_week_offline_syncs_within_the_default_rates(self, api, patient, settings,
                                                                             time_machine):  # fmt: skip
        """Both legs, morning and evening, both exercises, three sets: 24 sets a day, 168 a week, as the
        web client sends them (check-ins one by one, then the sets in one batch), then a day of live use."""
        production_rates(settings)
        time_machine.move_to(NOW, tick=False)
        patient.side = "both"
        patient.save()
        ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
        client = api(patient.user)
        days = [dt.date(2026, 3, 3) + dt.timedelta(days=n) for n in range(7)]
        for day in days:
            assert client.post("/api/v1/checkins/", checkin(date=day.isoformat()), format="json").status_code == 201
        exercises = ("eccentric_heel_drop_straight", "eccentric_heel_drop_bent")
        week = [set_log(day, session=session, side=side, exercise=exercise)
                for day in days for session in ("am", "pm") for side in ("left", "right")
                for exercise in exercises for _ in range(3)]  # fmt: skip
        response = client.post("/api/v1/logs/batch/", week, format="json")
        assert response.status_code == 200
        assert {r["status"] for r in response.json()["results"]} == {"created"}
        today = [client.post("/api/v1/logs/batch/", [set_log(dt.date(2026, 3, 10), session="pm", side="left")],
                             format="json").status_code for _ in range(24)]  # fmt: skip
        assert today == [200] * 24
        assert SetLog.objects.count() == 168 + 24

    def test_push_subscriptions_are_capped_per_user_the_oldest_replaced(self, api, patient, push_service, settings):
        settings.PUSH_SUBSCRIPTIONS_PER_USER = 3
        client = api(patient.user)
        ids = []
        for n in range(5):
            response = client.post("/api/v1/push-subscriptions/", push_service.subscription(f"d{n}"), format="json")
            assert response.status_code == 201
            ids.append(response.json()["id"])
        again = client.post("/api/v1/push-subscriptions/", push_service.subscription("d2"), format="json")
        assert again.status_code == 200  # d2 registers again: now the newest
        client.post("/api/v1/push-subscriptions/", push_service.subscription("d5"), format="json")
        kept = set(PushSubscription.objects.filter(user=patient.user).values_list("id", flat=True))
        assert len(kept) == 3 and {ids[2], ids[4]} <= kept and not {ids[0], ids[1], ids[3]} & kept


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
class TestRefreshRotation:
    def test_concurrent_refreshes_of_one_token_have_one_winner(self, live_server, patient):
        """Real concurrent requests against a threaded server on PostgreSQL, four at a time, three rounds."""
        url = f"{live_server.url}/api/v1/auth/token/refresh/"
        for _ in range(3):
            credentials = {"username": patient.user.username, "password": PASSWORD}
            signed_in = requests.post(f"{live_server.url}/api/v1/auth/token/", json=credentials, timeout=30)
            token = signed_in.json()["refresh"]
            start = threading.Barrier(4)
            answers = []

            def refresh(token=token, start=start, answers=answers):
                with requests.Session() as session:
                    start.wait(timeout=30)
                    answers.append(session.post(url, json={"refresh": token}, timeout=30))

            threads = [threading.Thread(target=refresh) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert sorted(a.status_code for a in answers) == [200, 401, 401, 401]
            [winner] = [a.json() for a in answers if a.status_code == 200]
            assert requests.post(url, json={"refresh": token}, timeout=30).status_code == 401
            assert requests.post(url, json={"refresh": winner["refresh"]}, timeout=30).status_code == 200


def sign_in(username, password=PASSWORD, **extra):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json",
                            **extra)  # fmt: skip


class TestBehindAProxy:
    PROXY = "10.0.0.1"

    @pytest.fixture(autouse=True)
    def one_proxy(self, settings):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    def via_proxy(self, forwarded: str) -> dict:
        return {"REMOTE_ADDR": self.PROXY, "HTTP_X_FORWARDED_FOR": forwarded}

    def test_a_lockout_from_one_address_leaves_the_real_user_in(self, patient):
        username = patient.user.username
        # The attacker forges a left-hand entry; the proxy appends the address it saw (203.0.113.9).
        codes = [sign_in(username, "wrong", **self.via_proxy("192.0.2.50, 203.0.113.9")).status_code
                 for _ in range(5)]  # fmt: skip
        assert codes == [401, 401, 401, 401, 429]
        assert sign_in(username, **self.via_proxy("192.0.2.50, 203.0.113.9")).status_code == 429
        # The real user, at 192.0.2.50 behind the same proxy, is not locked out.
        assert sign_in(username, **self.via_proxy("192.0.2.50")).status_code == 200
        assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]

    def test_the_sign_in_throttle_keys_on_the_same_address(self, monkeypatch):
        monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
        codes = [sign_in(f"nobody{n}", "wrong", **self.via_proxy(f"198.51.100.{n}, 203.0.113.9")).status_code
                 for n in range(4)]  # fmt: skip
        assert codes == [401, 401, 401, 429]
        assert sign_in("nobody", "wrong", **self.via_proxy("192.0.2.50")).status_code == 401

    def test_a_garbage_forwarded_address_falls_back_to_the_peer(self, patient):
        assert sign_in(patient.user.username, "wrong", **self.via_proxy("not-an-address")).status_code == 401
        assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [self.PROXY]


class TestSignInInput:
    def test_a_256_character_username_is_a_400(self):
        response = sign_in("a" * 256, "wrong")
        assert response.status_code == 400 and "username" in response.json()
        assert not AccessAttempt.objects.exists()

    def test_a_fullwidth_username_signs_in_as_stored(self, api, physio, physician):
        body = {"username": "ａｄｍｉｎ2", "password": "a-long-passphrase-1", "timezone": "Europe/Copenhagen",
                "side": "left", "tendinopathy": "midportion", "physician": physician.id}  # fmt: skip
        assert api(physio).post("/api/v1/patients/", body, format="json").status_code == 201
        assert sign_in("ａｄｍｉｎ2", "a-long-passphrase-1").status_code == 200
        assert sign_in("admin2", "a-long-passphrase-1").status_code == 200

    def test_passwords_are_hidden_from_error_reports(self, patient, monkeypatch, settings):
        """An error inside sign-in or enrolment: the report (what a 500 mails or logs) never has the password."""
        from django.core.signals import got_request_exception
        from django.views.debug import ExceptionReporter
        from rest_framework_simplejwt.serializers import TokenObtainSerializer

        from patients import services

        reports = []

        def report(sender, request, **kwargs):
            reports.append(ExceptionReporter(request, *sys.exc_info(), is_email=True).get_traceback_text())

        def boom(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(TokenObtainSerializer, "validate", boom)
        monkeypatch.setattr(services, "patient_create", boom)
        got_request_exception.connect(report)
        try:
            client = Client(raise_request_exception=False)
            secret = "s3cret-passphrase-xyz"
            client.post("/api/v1/auth/token/", {"username": "someone", "password": secret},
                        content_type="application/json")  # fmt: skip
            client.force_login(patient.physio)
            enrol = {"username": "newone", "password": secret, "timezone": "Europe/Oslo", "side": "left",
                     "tendinopathy": "midportion", "physician": patient.physician.id}  # fmt: skip
            client.post("/api/v1/patients/", enrol, content_type="application/json")
        finally:
            got_request_exception.disconnect(report)
        assert len(reports) == 2 and all("boom" in r for r in reports)
        assert not [r for r in reports if secret in r]


class TestSmallerFindings:
    @pytest.mark.parametrize("value", [True, 1, 0, 12345678901234567890])
    @pytest.mark.parametrize("path", ["/api/v1/checkins/", "/api/v1/visa-a/", "/api/v1/logs/"])
    def test_a_client_id_is_a_uuid_string(self, api, program, path, value):
        body = {"/api/v1/checkins/": checkin(), "/api/v1/visa-a/": {"answers": [5] * 8},
                "/api/v1/logs/": set_log(dt.date(2026, 3, 9))}[path] | {"client_id": value}  # fmt: skip
        response = api(program.patient.user).post(path, body, format="json")
        assert response.status_code == 400 and "client_id" in response.json()

    def test_the_list_of_physios_is_for_admins(self, api, physio, patient):
        assert api(physio).get("/api/v1/clinicians/?role=physio").status_code == 403
        assert [c["id"] for c in api(physio).get("/api/v1/clinicians/?role=physician").json()] == [patient.physician.id]
        physios = api(AdminFactory()).get("/api/v1/clinicians/?role=physio")
        assert physios.status_code == 200 and [c["id"] for c in physios.json()] == [physio.id]

    def test_a_timeline_from_after_today_is_a_400(self, api, program):
        response = api(program.patient.physio).get(f"/api/v1/patients/{program.patient.id}/timeline/?from=2099-12-31")
        assert response.status_code == 400 and "from" in response.json()

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
    def test_no_setting_lets_a_truncate_of_the_audit_table_through(self, physio, patient):
        AuditEvent.objects.create(user=physio, patient=patient, action="read", what="x")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL rehab.flush_test_database = 'yes'")
            cursor.execute("TRUNCATE patients_auditevent")
        assert AuditEvent.objects.count() == 1


class TestWhatNotificationsSay:
    def test_e_mail_carries_no_name_and_no_clinical_detail(self, api, program, mailoutbox):
        from notifications.deliveries import delivery_send
        from notifications.models import Delivery

        patient = program.patient
        patient.user.first_name, patient.user.email = "Alice", "alice@example.org"
        patient.user.save()
        patient.physician.email = "physician@example.org"
        patient.physician.save()
        patient.physio.email = "physio@example.org"
        patient.physio.save()
        answer = api(patient.user).post("/api/v1/checkins/", checkin(red_flags=["sudden_pop"]), format="json")
        assert answer.status_code == 201
        mails = Delivery.objects.filter(channel="email")
        assert {d.target for d in mails} >= {"physician@example.org", "physio@example.org"}
        for delivery in mails:
            assert delivery_send(delivery_id=delivery.id) == "sent"
        clinicians = [m for m in mailoutbox if m.to != ["alice@example.org"]]
        assert clinicians and {m.subject for m in clinicians} == {"Rehab Tracker: a patient needs your attention"}
        for mail in mailoutbox:
            text = (mail.subject + mail.body).lower()
            assert patient.user.username.lower() not in text and "alice" not in text
            assert not [word for word in ("pop", "rupture", "tendon", "torn", "pain", "red flag") if word in text]
            assert "http://127.0.0.1:8000/" in mail.body
        # the in-app notification, behind the sign-in, still says what happened
        [flag_note] = api(patient.physician).get("/api/v1/notifications/").json()["results"][:1]
        assert patient.user.username in flag_note["title"] + flag_note["body"]

    def test_a_clinicians_notifications_about_a_patient_go_when_the_patient_leaves_their_scope(self, api, patient):
        from notifications.deliveries import notify
        from notifications.models import Flag

        from .factories import PhysioFactory

        flag = Flag.objects.create(patient=patient, kind="pain", level="physio", reason="pain 8/10 three sessions")
        note, _ = notify(user=patient.physio, kind="flag", title=f"Pain above the safe limit: {patient}",
                         body=flag.reason, push_text="A patient needs your attention.", dedupe_key="moved-1",
                         patient=patient, flag=flag)  # fmt: skip
        notify(user=patient.physio, kind="info", title="Welcome", body="b", push_text="p", dedupe_key="general-1")
        old_physio = patient.physio
        assert [n["id"] for n in api(old_physio).get("/api/v1/notifications/").json()["results"]][-1] == note.id
        patient.physio = PhysioFactory()
        patient.save()
        listed = api(old_physio).get("/api/v1/notifications/").json()["results"]
        assert [n["title"] for n in listed] == ["Welcome"]
        assert api(old_physio).post(f"/api/v1/notifications/{note.id}/read/").status_code == 404
        assert api(old_physio).post("/api/v1/notifications/read-all/").json() == {"marked": 1}
