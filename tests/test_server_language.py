"""The server writes in the user's language (docs/api.md "Language"): the language stored on the user (set with
PATCH /me/), else the request's Accept-Language, else English; Danish complete in locale/da."""

import datetime as dt
import re

import polib
import pytest
import time_machine
from django.conf import settings

from notifications import reminders
from notifications.deliveries import email_message, inline_delivery
from notifications.models import Notification, ReminderTime

from .factories import PASSWORD, PatientFactory, ProgramFactory

PO = settings.BASE_DIR / "locale" / "da" / "LC_MESSAGES" / "django.po"
MONDAY = dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC)


def signed_in(api, user, **headers):
    """A client with a real access token (the JWT authentication is what switches the language)."""
    client = api(None)
    tokens = client.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}", **headers)
    return client


def test_every_server_text_has_its_danish_translation():
    catalogue = polib.pofile(str(PO))
    entries = [e for e in catalogue if not e.obsolete]
    assert len(entries) > 40

    def texts(entry) -> list[str]:  # a plural entry has one text per form
        return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]

    untranslated = [e.msgid for e in entries if not all(t.strip() for t in texts(e)) or "fuzzy" in e.flags]
    assert untranslated == []
    for entry in entries:  # every {placeholder} of the English is in the Danish
        for text in texts(entry):
            assert set(re.findall(r"\{\w*\}", entry.msgid)) == set(re.findall(r"\{\w*\}", text)), entry.msgid


@time_machine.travel(MONDAY, tick=False)
def test_a_danish_patient_reads_today_in_danish(api, db):
    patient = PatientFactory(user__language="da")
    ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    answer = signed_in(api, patient.user).get("/api/v1/today/")
    day = answer.json()
    assert answer.headers["Content-Language"] == "da"
    assert day["items"][0]["note"].startswith("Strakt knæ. Fra et trin: sænk hælen ned under forfodens niveau.")
    assert day["items"][0]["tempo"] == "langsom sænkning på det ramte ben; op med det andet ben"
    assert day["pain_guide"].startswith("Smerte under øvelsen: 0–2 er sikkert")


@time_machine.travel(MONDAY, tick=False)
def test_the_stored_language_wins_over_accept_language_which_is_the_fallback(api, db):
    english = PatientFactory(user__language="en")
    ProgramFactory(patient=english, start_date=dt.date(2026, 3, 2), protocol="hsr")
    day = signed_in(api, english.user, HTTP_ACCEPT_LANGUAGE="da").get("/api/v1/today/").json()
    assert day["pain_guide"].startswith("Pain during the exercise")
    unset = PatientFactory()
    ProgramFactory(patient=unset, start_date=dt.date(2026, 3, 2), protocol="hsr")
    client = signed_in(api, unset.user, HTTP_ACCEPT_LANGUAGE="da-DK,da;q=0.9,en;q=0.5")
    assert client.get("/api/v1/today/").json()["pain_guide"].startswith("Smerte under øvelsen")
    client.credentials()  # no token, no header: English
    assert api(None).get("/api/v1/settings/").headers["Content-Language"] == "en"


def test_the_app_sets_the_language_with_patch_me_and_a_bad_code_is_a_400(api, patient):
    client = signed_in(api, patient.user)
    changed = client.patch("/api/v1/me/", {"language": "da"})
    assert changed.status_code == 200 and changed.json()["language"] == "da"
    assert changed.headers["Content-Language"] == "da"
    patient.user.refresh_from_db()
    assert patient.user.language == "da"
    bad = client.patch("/api/v1/me/", {"language": "xx"})
    assert bad.status_code == 400 and "language" in bad.json()
    patient.user.refresh_from_db()
    assert patient.user.language == "da"
    assert client.patch("/api/v1/me/", {"language": ""}).json()["language"] == ""


def test_a_failed_sign_in_says_so_in_danish(api, patient):
    bad = api(None).post(
        "/api/v1/auth/token/", {"username": patient.user.username, "password": "nope"}, HTTP_ACCEPT_LANGUAGE="da"
    )
    assert bad.status_code == 401 and bad.json()["detail"] == "Brugernavn eller adgangskode er forkert"


@pytest.fixture
def no_quiet_hours(settings):
    settings.REMINDER_QUIET_START = settings.REMINDER_QUIET_END = ""


def test_reminders_and_their_emails_are_written_in_each_patients_language(db, no_quiet_hours, settings):
    settings.APP_URL = "https://rehab.example"
    danish = PatientFactory(user__language="da")
    english = PatientFactory()
    for patient in (danish, english):
        ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
        ReminderTime.objects.create(patient=patient, local_time=dt.time(8, 0))
    now = dt.datetime(2026, 3, 10, 7, 0, tzinfo=dt.UTC)  # 08:00 in Copenhagen
    with inline_delivery():
        reminders.process(reminder_ids=reminders.sweep(now=now), now=now)
    da = Notification.objects.get(user=danish.user)
    en = Notification.objects.get(user=english.user)
    assert (da.title, da.body) == ("Påmindelse om øvelser", "Tid til dine hælsænkninger om morgenen.")
    assert (en.title, en.body) == ("Exercise reminder", "Time for your morning heel drops.")
    mail = email_message(da)
    assert mail["subject"] == "Rehab Tracker: en besked til dig"
    assert "Åbn Rehab Tracker for at se den: https://rehab.example/today" in mail["body"]


@time_machine.travel(MONDAY, tick=False)
def test_a_danish_patients_refused_set_says_why_in_danish(api, db):
    patient = PatientFactory(user__language="da")
    ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    body = {"client_id": "6d4ed7c9-1f0e-4f38-9e55-0d6a3f1e0a12", "date": "2026-03-01",
            "exercise": "eccentric_heel_drop_straight", "reps": 15, "pain": 2, "session": "am"}  # fmt: skip
    refused = signed_in(api, patient.user).post("/api/v1/logs/", body)
    assert refused.status_code == 400
    assert refused.json() == {"date": ["2026-03-01 ligger uden for dit program."]}
    refused = signed_in(api, patient.user).post("/api/v1/logs/", body | {"date": "2026-03-09", "reps": 0})
    assert refused.json()["reps"] == ["Tjek at værdien er større end eller lig med 1."]  # DRF's own Danish


def test_a_flag_tells_each_clinician_in_their_own_language(db):
    from notifications.flags import flag_raise

    patient = PatientFactory(physician__language="da")
    flag_raise(patient=patient, kind="red_flag", level="physician", reason="A sudden pop.")
    to_physician = Notification.objects.get(user=patient.physician)
    to_physio = Notification.objects.get(user=patient.physio)
    assert to_physician.title == f"Rødt flag meldt — handl nu: {patient.user.username}"
    assert to_physician.push_text == "En patient har brug for din opmærksomhed i Rehab Tracker."
    assert to_physio.title == f"Red flag reported — act now: {patient.user.username}"
