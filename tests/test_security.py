"""Security against what an attacker tries first: each test fails if its hole opens again."""

import datetime as dt
import json
import uuid

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.tokens import AccessToken

from notifications.deliveries import delivery_send, notify
from notifications.models import Delivery, Flag, PushSubscription
from patients.models import AuditEvent, CheckIn, User

from .contract import ContractClient as APIClient
from .factories import PASSWORD, AdminFactory, PatientFactory, ProgramFactory, SetLogFactory, UserFactory
from .fake_push import FakePushService
from .test_settings import run_python

pytestmark = pytest.mark.django_db


def sign_in(username: str, password: str = PASSWORD, **extra) -> tuple[int, dict]:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra
    )
    return response.status_code, response.json()


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def refresh(token: str):
    return APIClient().post("/api/v1/auth/token/refresh/", {"refresh": token}, format="json")


class TestTokens:
    @pytest.fixture
    def tokens(self, patient):
        status, body = sign_in(patient.user.username)
        assert status == 200
        return body

    def test_a_password_change_revokes_every_token(self, patient, tokens):
        assert bearer(tokens["access"]).get("/api/v1/me/").status_code == 200
        patient.user.set_password("a-brand-new-passphrase")
        patient.user.save()
        assert bearer(tokens["access"]).get("/api/v1/me/").status_code == 401
        assert refresh(tokens["refresh"]).status_code == 401

    def test_a_refresh_token_works_once(self, tokens):
        first = refresh(tokens["refresh"])
        assert first.status_code == 200 and {"access", "refresh"} <= set(first.json())
        assert refresh(tokens["refresh"]).status_code == 401
        assert refresh(first.json()["refresh"]).status_code == 200  # the rotated one works (once)

    def test_logout_ends_the_refresh_token(self, tokens):
        assert (
            APIClient().post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json").status_code == 200
        )
        assert refresh(tokens["refresh"]).status_code == 401

    def test_deactivation_revokes_every_token(self, patient, tokens):
        User.objects.filter(pk=patient.user.pk).update(is_active=False)
        assert bearer(tokens["access"]).get("/api/v1/me/").status_code == 401
        assert refresh(tokens["refresh"]).status_code == 401

    def test_the_refresh_token_of_a_deleted_user_is_a_401(self, patient, tokens):
        patient.user.delete()
        response = refresh(tokens["refresh"])
        assert response.status_code == 401 and response.json()["detail"]

    def test_access_tokens_live_minutes(self, tokens):
        token = AccessToken(tokens["access"])
        assert token["exp"] - token["iat"] <= 5 * 60


class TestLogin:
    @pytest.fixture
    def strict_rate(self, monkeypatch):
        monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "10/min"})

    def test_forged_forwarded_addresses_do_not_reset_the_throttle(self, strict_rate):
        codes = [
            sign_in(f"nobody{n}", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")[0] for n in range(11)
        ]  # fmt: skip
        assert codes == [401] * 10 + [429]

    def test_the_throttle_counts_in_a_cache_every_process_shares(self, settings):
        assert "LocMemCache" not in settings.CACHES["default"]["BACKEND"]

    @pytest.mark.parametrize(
        ("env", "backend"),
        [({"REDIS_URL": "redis://127.0.0.1:6379/3"}, "RedisCache"), ({"REDIS_URL": ""}, "DatabaseCache")],
    )
    def test_production_caches_are_shared(self, env, backend):
        script = "from django.conf import settings; import django; django.setup(); print(settings.CACHES)"
        result = run_python(script, **env, SECRET_KEY="k" * 50, DATABASE_URL="postgres://x@127.0.0.1/x")
        assert backend in result.stdout, result.stderr

    def test_a_locked_out_user_is_told_so_with_the_retry_time(self, patient):
        codes = [sign_in(patient.user.username, "wrong")[0] for _ in range(5)]
        assert codes == [401, 401, 401, 401, 429]  # the fifth failure locks the account and says so
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": patient.user.username, "password": PASSWORD}, format="json"
        )
        assert response.status_code == 429 and "locked" in response.json()["detail"]
        assert int(response["Retry-After"]) == 15 * 60

    def test_usernames_are_unique_ignoring_case(self, api, physio, physician):
        UserFactory(username="Alice")
        with pytest.raises(IntegrityError), transaction.atomic():
            UserFactory(username="alice")
        body = {"username": "ALICE", "password": "a-long-passphrase-1", "timezone": "Europe/Copenhagen",
                "side": "left", "tendinopathy": "midportion", "physician": physician.id}  # fmt: skip
        response = api(physio).post("/api/v1/patients/", body, format="json")
        assert response.status_code == 400 and "username" in response.json()


class TestPush:
    def test_another_users_endpoint_is_never_a_handle_on_their_subscription(self, api, patient, push_service):
        body = push_service.subscription()
        mine = api(patient.user).post("/api/v1/push-subscriptions/", body, format="json")
        attacker = PatientFactory()
        theirs = api(attacker.user).post("/api/v1/push-subscriptions/", body, format="json")
        assert mine.status_code == 201 and theirs.status_code == 201
        assert theirs.json()["id"] != mine.json()["id"]
        assert api(attacker.user).delete(f"/api/v1/push-subscriptions/{mine.json()['id']}/").status_code == 404
        assert PushSubscription.objects.get(pk=mine.json()["id"]).user == patient.user

    def test_a_redirect_from_the_push_service_is_not_followed(self, patient, push_service, subscribe):
        with FakePushService() as elsewhere:  # not on the allow-list
            push_service.next_statuses = [307]
            push_service.redirect_to = elsewhere.subscription()["endpoint"]
            subscribe(patient.user, push_service)
            _, [delivery_id] = notify(user=patient.user, kind="info", title="t", body="b", push_text="p",
                                      dedupe_key="redirect-test")  # fmt: skip
            assert delivery_send(delivery_id=delivery_id) == "failed"
            assert elsewhere.hits == 0 and push_service.hits == 1
        assert Delivery.objects.get().status == "failed"


class TestAudit:
    def actions(self, patient) -> list[tuple[str, str]]:
        return list(AuditEvent.objects.filter(patient=patient).order_by("id").values_list("action", "what"))

    def test_a_clinicians_notifications_are_audited(self, api, patient):
        flag = Flag.objects.create(patient=patient, kind="pain", level="physio", reason="pain 8/10")
        notify(user=patient.physio, kind="flag", title="t", body=flag.reason, push_text="p", dedupe_key="n1",
               patient=patient, flag=flag)  # fmt: skip
        assert api(patient.physio).get("/api/v1/notifications/").status_code == 200
        assert self.actions(patient) == [("read", "GET /api/v1/notifications/")]

    @pytest.mark.parametrize("kind", ["patients", "programs", "flags"])
    def test_refused_attempts_are_recorded_as_refused(self, api, physio, patient, kind):
        other = PatientFactory()
        ids = {"patients": other.id, "programs": ProgramFactory(patient=other).id,
               "flags": Flag.objects.create(patient=other, kind="pain", level="physio", reason="x").id}  # fmt: skip
        assert api(physio).get(f"/api/v1/{kind}/{ids[kind]}/").status_code == 404
        assert self.actions(other) == [("refused", f"GET /api/v1/{kind}/{ids[kind]}/")]

    def test_refused_record_views_are_recorded(self, api, physio):
        other = PatientFactory()
        for view in ("timeline", "adherence", "notes"):
            assert api(physio).get(f"/api/v1/patients/{other.id}/{view}/").status_code == 404
        assert [a for a, _ in self.actions(other)] == ["refused"] * 3

    @pytest.mark.parametrize(
        ("model", "make"),
        [
            ("checkin", lambda p: CheckIn.objects.create(patient=p, date=dt.date(2026, 3, 3), morning_pain=2,
                                                        morning_stiffness_minutes=5)),
            ("visaa", lambda p: p.visa_a.create(date=dt.date(2026, 3, 3), answers=[0] * 8, score=0)),
            ("clinicalnote", lambda p: p.clinical_notes.create(author=p.physio, text="Achilles sore")),
        ],
    )  # fmt: skip
    def test_admin_lists_and_searches_are_audited(self, patient, model, make):
        make(patient)
        client = Client()
        client.force_login(AdminFactory())
        assert client.get(f"/admin/patients/{model}/").status_code == 200
        assert client.get(f"/admin/patients/{model}/?q=sore").status_code == 200
        actions = self.actions(patient)
        assert actions[0] == ("read", f"admin list /admin/patients/{model}/")
        if model == "clinicalnote":
            assert actions[1] == ("read", f"admin list search /admin/patients/{model}/")

    @pytest.mark.parametrize("path", ["/admin/notifications/flag/", "/admin/exercises/setlog/",
                                      "/admin/notifications/notification/"])  # fmt: skip
    def test_admin_lists_of_flags_sets_and_notifications_are_audited(self, patient, path):
        Flag.objects.create(patient=patient, kind="pain", level="physio", reason="x")
        SetLogFactory(program=ProgramFactory(patient=patient))
        notify(user=patient.user, kind="info", title="t", body="b", push_text="p", dedupe_key="a1", patient=patient)
        client = Client()
        client.force_login(AdminFactory())
        assert client.get(path).status_code == 200
        assert self.actions(patient) == [("read", f"admin list {path}")]

    def test_an_admin_edit_is_a_change_naming_the_fields(self, patient):
        checkin = CheckIn.objects.create(patient=patient, date=dt.date(2026, 3, 3), morning_pain=2,
                                         morning_stiffness_minutes=5)  # fmt: skip
        client = Client()
        client.force_login(AdminFactory())
        path = f"/admin/patients/checkin/{checkin.id}/change/"
        form = {"patient": patient.id, "date": "2026-03-03", "morning_pain": 6, "morning_stiffness_minutes": 5,
                "red_flags": "[]"}  # fmt: skip
        assert client.post(path, form).status_code == 302
        [(action, what)] = self.actions(patient)
        assert action == "change" and what.startswith(f"admin {path} fields: morning_pain")

    @pytest.fixture
    def admin_client(self, db):
        client = Client()
        client.force_login(AdminFactory())
        return client

    @pytest.fixture
    def patient_rows(self, patient, push_service, subscribe):
        """One of each row an admin page shows about ``patient``, with a field log (auditlog) of a note."""
        from notifications.models import Reminder, ReminderTime

        patient.clinical_notes.create(author=patient.physio, text="Achilles sore after a run")
        ReminderTime.objects.create(patient=patient, local_time=dt.time(8))
        Reminder.objects.create(patient=patient, local_date=dt.date(2026, 3, 3), slot=dt.time(8),
                                due_at=dt.datetime(2026, 3, 3, 7, tzinfo=dt.UTC), sweep=uuid.uuid4())  # fmt: skip
        patient.user.email = "p@example.org"
        patient.user.save()
        subscribe(patient.user, push_service)
        notify(user=patient.user, kind="info", title="t", body="b", push_text="p", dedupe_key="rows-1")
        return patient

    @pytest.mark.parametrize(
        "path",
        ["/admin/auditlog/logentry/", "/admin/patients/user/", "/admin/notifications/delivery/",
         "/admin/notifications/reminder/", "/admin/notifications/pushsubscription/",
         "/admin/notifications/remindertime/"],
    )  # fmt: skip
    def test_every_admin_list_of_a_patients_rows_is_an_audited_read(self, admin_client, patient_rows, path):
        assert admin_client.get(path).status_code == 200
        assert ("read", f"admin list {path}") in self.actions(patient_rows)

    def test_the_pages_of_one_patients_rows_are_audited_reads(self, admin_client, patient_rows):
        from auditlog.models import LogEntry

        from notifications.models import Delivery, Reminder

        note_log = LogEntry.objects.get(content_type__model="clinicalnote")
        pages = [
            f"/admin/auditlog/logentry/{note_log.id}/change/",  # the note's text, as logged
            f"/admin/patients/user/{patient_rows.user.id}/change/",
            f"/admin/notifications/delivery/{Delivery.objects.filter(channel='email').get().id}/change/",
            f"/admin/notifications/reminder/{Reminder.objects.get().id}/change/",
            f"/admin/patients/patient/{patient_rows.id}/delete/",  # the delete-confirm page lists everything
            f"/admin/patients/patient/{patient_rows.id}/history/",
        ]
        for page in pages:
            assert admin_client.get(page).status_code == 200, page
        reads = [what for action, what in self.actions(patient_rows) if action == "read"]
        assert reads == [f"admin {pages[0]}", f"admin {pages[1]}", f"admin {pages[2]}", f"admin {pages[3]}",
                         f"admin delete-confirm {pages[4]}", f"admin history {pages[5]}"]  # fmt: skip

    def test_a_deleted_rows_field_log_still_names_its_patient(self, admin_client, patient):
        from auditlog.models import LogEntry

        note = patient.clinical_notes.create(author=patient.physio, text="Achilles sore")
        note.delete()
        deleted = LogEntry.objects.get(content_type__model="clinicalnote", action=LogEntry.Action.DELETE)
        assert admin_client.get(f"/admin/auditlog/logentry/{deleted.id}/change/").status_code == 200
        assert self.actions(patient) == [("read", f"admin /admin/auditlog/logentry/{deleted.id}/change/")]

    def test_delete_selected_audits_the_confirm_page_and_each_patients_delete(self, admin_client, patient):
        other = PatientFactory()
        rows = [CheckIn.objects.create(patient=p, date=dt.date(2026, 3, 3), morning_pain=2,
                                       morning_stiffness_minutes=5) for p in (patient, patient, other)]  # fmt: skip
        path = "/admin/patients/checkin/"
        form = {"action": "delete_selected", "_selected_action": [r.id for r in rows]}
        assert admin_client.post(path, form).status_code == 200  # "Are you sure?"
        assert admin_client.post(path, form | {"post": "yes"}).status_code == 302
        assert not CheckIn.objects.exists()
        for someone in (patient, other):
            assert self.actions(someone) == [("read", f"admin delete-confirm {path}"),
                                             ("delete", f"admin bulk delete {path}")]  # fmt: skip

    def test_a_patients_account_deleted_in_the_admin_is_an_audited_delete(self, admin_client, patient):
        path = f"/admin/patients/user/{patient.user.id}/delete/"
        assert admin_client.post(path, {"post": "yes"}).status_code == 302
        assert self.actions(patient) == [("delete", f"admin {path}")]

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
    def test_truncate_of_the_audit_table_is_refused(self, physio, patient):
        AuditEvent.objects.create(user=physio, patient=patient, action="read", what="x")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE patients_auditevent")
        assert AuditEvent.objects.count() == 1


class TestOddInput:
    """Each answered 500 once; each must be a clear 400 (JSON), never a 500."""

    @pytest.fixture
    def program(self, patient, time_machine):
        time_machine.move_to(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False)
        return ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))

    def test_deeply_nested_json_on_sign_in(self):
        body = "[" * 1000 + "]" * 1000
        response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
        assert response.status_code == 400 and "nested" in response.json()["detail"]

    @pytest.mark.parametrize("value", ["²", "١", "1²"])
    @pytest.mark.parametrize("path", ["/api/v1/checkins/", "/api/v1/visa-a/", "/api/v1/flags/",
                                      "/api/v1/logs/", "/api/v1/audit/"])  # fmt: skip
    @pytest.mark.parametrize("name", ["patient", "user"])
    def test_unicode_digits_in_ids(self, api, admin_user, path, name, value):
        if name == "user" and path != "/api/v1/audit/":
            return
        response = api(admin_user).get(path, {name: value})
        assert response.status_code == 400 and name in response.json()

    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("/api/v1/logs/", {"client_id": str(uuid.uuid4()), "date": "2026-03-09", "exercise": "\ud800",
                               "reps": 15, "pain": 2}),
            ("/api/v1/checkins/", {"morning_pain": 2, "morning_stiffness_minutes": 5, "red_flags": ["\ud800"]}),
            ("/api/v1/checkins/", {"morning_pain": 2, "morning_stiffness_minutes": 5, "red_flags": ["fever\x00"]}),
        ],
    )  # fmt: skip
    def test_lone_surrogates_and_nul_in_bodies(self, api, program, path, body):
        response = api(program.patient.user).post(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 400

    def test_lone_surrogates_in_a_loads_key_and_a_timezone(self, api, program):
        loads = api(program.patient.physio).patch(
            f"/api/v1/programs/{program.id}/", '{"loads": {"\\ud800": 5}}', content_type="application/json"
        )
        zone = api(program.patient.user).patch(
            "/api/v1/me/reminders/", '{"timezone": "Europe/\\ud800"}', content_type="application/json"
        )
        assert (loads.status_code, zone.status_code) == (400, 400)

    @pytest.mark.parametrize("suffix", ["", "{id}/", "{id}/acknowledge/"])
    def test_nul_in_a_query_parameter(self, api, patient, suffix):
        flag = Flag.objects.create(patient=patient, kind="pain", level="physio", reason="x")
        path = "/api/v1/flags/" + suffix.format(id=flag.id) + "?kind=%00"
        client = api(patient.physio)
        response = client.post(path, {}, format="json") if "acknowledge" in suffix else client.get(path)
        assert response.status_code == 400 and response.json()["detail"]

    def test_an_unknown_flag_kind_is_a_400(self, api, patient):
        assert api(patient.physio).get("/api/v1/flags/?kind=fracture").status_code == 400

    @pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
    @pytest.mark.parametrize("view", ["timeline", "adherence"])
    @pytest.mark.parametrize("end", ["from", "to"])
    def test_dates_at_the_ends_of_the_calendar(self, api, program, day, view, end):
        response = api(program.patient.physio).get(f"/api/v1/patients/{program.patient.id}/{view}/?{end}={day}")
        assert response.status_code == 400 and end in response.json()

    def test_a_ten_megabyte_body_is_a_json_400(self, api, program):
        body = "x" * (10 * 1024 * 1024)
        response = api(program.patient.user).post("/api/v1/logs/batch/", body, content_type="application/json")
        assert response.status_code == 400 and "larger than" in response.json()["detail"]
        form = Client().post("/api/v1/auth/token/", body, content_type="application/x-www-form-urlencoded")
        assert form.status_code == 400 and form["Content-Type"] == "application/json"

    def test_patient_entered_dates_are_bounded(self, api, program):
        client = api(program.patient.user)
        checkin = client.post("/api/v1/checkins/", {"date": "0001-01-01", "morning_pain": 2,
                                                    "morning_stiffness_minutes": 5}, format="json")  # fmt: skip
        visa = client.post("/api/v1/visa-a/", {"date": "0001-01-01", "answers": [0] * 8}, format="json")
        assert (checkin.status_code, visa.status_code) == (400, 400)
        assert "date" in checkin.json() and "date" in visa.json()

    @pytest.mark.parametrize("zone", ["localtime", "Factory", "EST5EDT", "US/Eastern", "Etc/GMT+5", "posixrules"])
    def test_only_canonical_time_zone_names(self, api, patient, physician, zone):
        reminders = api(patient.user).patch("/api/v1/me/reminders/", {"timezone": zone}, format="json")
        body = {"username": "newone", "password": "a-long-passphrase-1", "timezone": zone, "side": "left",
                "tendinopathy": "midportion", "physician": physician.id}  # fmt: skip
        created = api(patient.physio).post("/api/v1/patients/", body, format="json")
        assert (reminders.status_code, created.status_code) == (400, 400)
        assert api(patient.user).patch("/api/v1/me/reminders/", {"timezone": "America/Sao_Paulo"},
                                       format="json").status_code == 200  # fmt: skip


class TestHeaders:
    def test_a_content_security_policy_everywhere(self, api, patient):
        for response in (api(patient.user).get("/api/v1/me/"), Client().get("/admin/login/")):
            policy = response["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
            assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy

    def test_production_trusts_no_forwarded_header_and_redirects_to_https(self):
        script = ("import django; django.setup(); from django.conf import settings as s; "
                  "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)")  # fmt: skip
        env = {"DEBUG": "False", "SECRET_KEY": "k" * 50, "DATABASE_URL": "postgres://x@127.0.0.1/x"}
        assert run_python(script, **env).stdout.split() == ["None", "True", "31536000"]
        trusted = run_python(script, **env, TRUST_X_FORWARDED_PROTO="true").stdout.split()
        assert trusted[:2] == ["('HTTP_X_FORWARDED_PROTO',", "'https')"]

    def test_the_schema_documents_errors_and_limits(self, api, patient):
        schema = api(patient.user).get("/api/schema/?format=json").json()
        adherence = schema["paths"]["/api/v1/patients/{id}/adherence/"]["get"]
        assert {"400", "401", "403", "404"} <= set(adherence["responses"])
        page_size = next(p for p in schema["paths"]["/api/v1/logs/"]["get"]["parameters"] if p["name"] == "page_size")
        assert page_size["schema"]["maximum"] == 500
        export = schema["paths"]["/api/v1/patients/{id}/export/"]["get"]["parameters"]
        assert next(p for p in export if p["name"] == "format")["required"] is True
        assert "not after `to`" in next(p for p in adherence["parameters"] if p["name"] == "from")["description"]
