"""A second factor for clinicians (TOTP with recovery codes): enrolment, the token endpoint's 401 that asks
for the code, a wrong code, the same code twice, a recovery code once, the clinic's requirement, and the
Django admin's sign-in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from patients.models import Role

from .factories import PASSWORD, AdminFactory, UserFactory

T0 = dt.datetime(2026, 12, 1, 9, 0, 0, tzinfo=dt.UTC)


def code_at(device: TOTPDevice, moment: dt.datetime) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = moment.timestamp()
    return f"{totp.token():06d}"


def off_by_one(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def sign_in(api, user, **extra):
    return api(None).post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD, **extra})


@pytest.fixture
def enrolled(api, physio):
    """The physio with a confirmed authenticator (set up at T0 through the API) and their recovery codes."""
    with time_machine.travel(T0, tick=False):
        started = api(physio).post("/api/v1/auth/mfa/totp/")
        assert started.status_code == 201
        assert started.json()["otpauth_url"].startswith("otpauth://totp/Rehab%20Tracker%3Aphysio")
        assert started.json()["qr_svg"].startswith("<svg") and "<path" in started.json()["qr_svg"]
        device = TOTPDevice.objects.get(user=physio)
        assert device.confirmed is False
        assert api(physio).get("/api/v1/auth/mfa/").json()["totp"] is False  # not until confirmed
        confirmed = api(physio).post("/api/v1/auth/mfa/totp/confirm/", {"otp": code_at(device, T0)})
    assert confirmed.status_code == 200
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    return physio, TOTPDevice.objects.get(user=physio), codes


def test_enrolment_needs_a_right_code_and_then_sign_in_asks_for_one(api, physio):
    assert sign_in(api, physio).status_code == 200  # no factor yet: the password is enough
    with time_machine.travel(T0, tick=False):
        api(physio).post("/api/v1/auth/mfa/totp/")
        device = TOTPDevice.objects.get(user=physio)
        wrong = api(physio).post("/api/v1/auth/mfa/totp/confirm/", {"otp": off_by_one(code_at(device, T0))})
    assert wrong.status_code == 400 and "otp" in wrong.json()
    assert sign_in(api, physio).status_code == 200  # still no factor: a wrong confirmation changes nothing


def test_sign_in_without_code_is_401_otp_required(api, enrolled):
    physio, _, _ = enrolled
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        answer = sign_in(api, physio)
    assert answer.status_code == 401
    assert answer.json()["code"] == "otp_required" and "code" in answer.json()["detail"]
    assert "access" not in answer.json()
    assert sign_in(api, physio, password="wrong", otp="123456").json().get("code") != "otp_required"


def test_wrong_code_is_refused_and_a_right_one_then_signs_in(api, enrolled):
    physio, device, _ = enrolled
    later = T0 + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        right = code_at(device, later)
        wrong = off_by_one(right)
        refused = sign_in(api, physio, otp=wrong)
    assert refused.status_code == 401 and refused.json()["code"] == "otp_invalid"
    with time_machine.travel(later + dt.timedelta(seconds=5), tick=False):  # past django-otp's 1 s back-off
        answer = sign_in(api, physio, otp=right)
    assert answer.status_code == 200 and set(answer.json()) == {"access", "refresh"}


def test_wrong_codes_lock_the_username_out_like_wrong_passwords(api, enrolled, settings):
    physio, device, _ = enrolled
    later = T0 + dt.timedelta(minutes=20)
    with time_machine.travel(later, tick=False):
        wrong = off_by_one(code_at(device, later))
        answers = [sign_in(api, physio, otp=wrong).status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
        locked = sign_in(api, physio, otp=code_at(device, later))
    assert answers == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the last failure locks, as with passwords
    assert locked.status_code == 429 and "Retry-After" in locked  # even the right code, until the cool-off


def test_the_same_code_twice_is_refused(api, enrolled):
    physio, device, _ = enrolled
    later = T0 + dt.timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        code = code_at(device, later)
        first = sign_in(api, physio, otp=code)
        again = sign_in(api, physio, otp=code)
    assert first.status_code == 200
    assert again.status_code == 401 and again.json()["code"] == "otp_invalid"
    # an older code (the step before the one used) is refused too
    with time_machine.travel(later + dt.timedelta(seconds=5), tick=False):
        older = sign_in(api, physio, otp=code_at(device, later - dt.timedelta(seconds=30)))
    assert older.status_code == 401


def test_a_recovery_code_works_once(api, enrolled):
    physio, _, codes = enrolled
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        first = sign_in(api, physio, otp=codes[0].upper())  # read off paper: case and spaces do not matter
        again = sign_in(api, physio, otp=codes[0])
    assert first.status_code == 200
    assert again.status_code == 401 and again.json()["code"] == "otp_invalid"
    assert api(physio).get("/api/v1/auth/mfa/").json() == {
        "totp": True, "recovery_codes_left": 9, "required": False, "enrol_now": False,
    }  # fmt: skip


def test_required_by_the_clinic_only_enrolment_answers_until_set_up(api, physio, patient, settings):
    settings.STAFF_MFA_REQUIRED = True
    with time_machine.travel(T0, tick=False):
        tokens = sign_in(api, physio).json()
        client = api(None)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        blocked = client.get("/api/v1/patients/")
        assert blocked.status_code == 403 and blocked.json()["code"] == "otp_enrolment_required"
        assert client.get("/api/v1/me/").status_code == 200
        assert client.get("/api/v1/auth/mfa/").json() == {
            "totp": False, "recovery_codes_left": 0, "required": True, "enrol_now": True,
        }  # fmt: skip
        assert client.post("/api/v1/auth/mfa/totp/").status_code == 201
        device = TOTPDevice.objects.get(user=physio)
        assert client.post("/api/v1/auth/mfa/totp/confirm/", {"otp": code_at(device, T0)}).status_code == 200
        assert client.get("/api/v1/patients/").status_code == 200
        # patients are never asked
        patient_tokens = sign_in(api, patient.user).json()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {patient_tokens['access']}")
        assert client.get("/api/v1/me/").status_code == 200


def test_local_passwords_off_refuses_staff_passwords_but_not_patients(api, physio, patient, settings):
    settings.STAFF_LOCAL_PASSWORDS = False
    answer = sign_in(api, physio)
    assert answer.status_code == 401 and answer.json()["code"] == "sso_required"
    assert sign_in(api, patient.user).status_code == 200


def test_a_clinic_requires_the_second_factor_or_turns_passwords_off_for_its_own_staff(api, physio, settings):
    """Per-clinic settings (``Clinic.settings``): the install says no; the physio's clinic says yes."""
    from patients.models import Membership

    from .factories import ClinicFactory, PhysioFactory

    settings.STAFF_MFA_REQUIRED, settings.STAFF_LOCAL_PASSWORDS = False, True
    strict = ClinicFactory(settings={"STAFF_MFA_REQUIRED": True})
    Membership.objects.filter(user=physio).delete()
    Membership.objects.create(user=physio, clinic=strict)
    elsewhere = PhysioFactory()  # the default clinic: the install's rules
    with time_machine.travel(T0, tick=False):
        client = api(None)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {sign_in(api, physio).json()['access']}")
        assert client.get("/api/v1/auth/mfa/").json()["required"] is True
        assert client.get("/api/v1/patients/").json()["code"] == "otp_enrolment_required"
        other = api(None)
        other.credentials(HTTP_AUTHORIZATION=f"Bearer {sign_in(api, elsewhere).json()['access']}")
        assert other.get("/api/v1/patients/").status_code == 200
    strict.settings = {"STAFF_LOCAL_PASSWORDS": False}
    strict.save()
    answer = sign_in(api, physio)
    assert answer.status_code == 401 and answer.json()["code"] == "sso_required"
    assert sign_in(api, elsewhere).status_code == 200


def test_the_sign_in_rules_are_clinic_settings_its_admins_set(db):
    from patients.clinics import setting_errors

    assert setting_errors({"STAFF_MFA_REQUIRED": True, "STAFF_LOCAL_PASSWORDS": False}) == {}
    assert setting_errors({"STAFF_MFA_REQUIRED": "yes"}) == {"STAFF_MFA_REQUIRED": "true or false."}


def _admin_login(client, user, otp=""):
    page = client.get("/admin/login/?next=/admin/")
    assert 'name="otp_token"' in page.content.decode() and "Two-factor code" in page.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(
        "/admin/login/?next=/admin/",
        {"csrfmiddlewaretoken": token, "username": user.username, "password": PASSWORD, "otp_token": otp},
    )


def test_admin_sign_in_needs_the_code_too(api, db, client):
    from django.test import Client

    admin = AdminFactory()
    with time_machine.travel(T0, tick=False):
        api(admin).post("/api/v1/auth/mfa/totp/")
        device = TOTPDevice.objects.get(user=admin)
        api(admin).post("/api/v1/auth/mfa/totp/confirm/", {"otp": code_at(device, T0)})
    later = T0 + dt.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        browser = Client(enforce_csrf_checks=True)
        without = _admin_login(browser, admin)
        assert without.status_code == 200 and "enter the code" in without.content.decode()
        assert browser.get("/admin/").status_code == 302  # still signed out
        signed_in = _admin_login(browser, admin, code_at(device, later))
        assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
        assert browser.get("/admin/").status_code == 200
        replay = _admin_login(Client(enforce_csrf_checks=True), admin, code_at(device, later))
        assert replay.status_code == 200 and "already used" in replay.content.decode()


def test_token_endpoint_contract_names_otp_and_the_401(db):
    from .contract import document

    schema = document()
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    request = schema["components"]["schemas"][body]
    assert set(request["required"]) == {"username", "password"} and "otp" in request["properties"]
    assert "otp_required" in operation["responses"]["401"]["description"]
    assert operation["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "code" in schema["components"]["schemas"]["Error"]["properties"]


def test_a_clinic_admin_sets_up_a_second_factor_and_is_held_to_the_clinics_rule(api, db, settings):
    """A clinic admin manages staff accounts and this very setting: the same second factor as a clinician's."""
    settings.STAFF_MFA_REQUIRED = True
    admin = UserFactory(role=Role.CLINIC_ADMIN, username="clinic-boss")
    with time_machine.travel(T0, tick=False):
        client = api(None)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {sign_in(api, admin).json()['access']}")
        assert client.get("/api/v1/clinics/").json()["code"] == "otp_enrolment_required"
        assert client.get("/api/v1/auth/mfa/").json()["enrol_now"] is True
        assert client.post("/api/v1/auth/mfa/totp/").status_code == 201
        device = TOTPDevice.objects.get(user=admin)
        assert client.post("/api/v1/auth/mfa/totp/confirm/", {"otp": code_at(device, T0)}).status_code == 200
        assert client.get("/api/v1/clinics/").status_code == 200
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        assert sign_in(api, admin).json()["code"] == "otp_required"
        moment = T0 + dt.timedelta(minutes=5)
        assert sign_in(api, admin, otp=code_at(device, moment)).status_code == 200
