"""Messaging in a real browser: a patient writes offline, the message reaches the clinic once, the physio
answers with a quick reply from the patient's page, and the patient reads the answer."""

from __future__ import annotations

import re

import pytest

from messaging.models import Message

from .browser import PHONE, sign_in
from .factories import PASSWORD, PatientFactory, PhysicianFactory, PhysioFactory

pytestmark = [pytest.mark.browser, pytest.mark.services]
QUESTION = "Is a little soreness the morning after normal?"


@pytest.fixture
def team(transactional_db, settings):
    settings.CLINIC_OPEN_WEEKDAYS = [0, 1, 2, 3, 4, 5, 6]  # open round the clock: no automatic notice here
    settings.CLINIC_OPENS_AT, settings.CLINIC_CLOSES_AT = "00:00", "23:59"
    physio = PhysioFactory(username="msg-physio")
    patient = PatientFactory(user__username="msg-patient", physio=physio, physician=PhysicianFactory())
    return physio, patient


def test_an_offline_message_arrives_once_and_the_physios_reply_reaches_the_patient(live_server, team, chromium):
    physio, patient = team
    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    desk = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = phone.new_page()
        sign_in(page, live_server.url, "msg-patient", PASSWORD)
        page.get_by_role("link", name="Messages", exact=True).click()
        page.get_by_text("We usually reply within 24 hours").wait_for()

        phone.set_offline(True)
        page.get_by_label("Write to your care team").fill(QUESTION)
        page.get_by_role("button", name="Send message").click()
        page.get_by_text(re.compile("waiting to send")).wait_for()
        assert not Message.objects.exists()
        phone.set_offline(False)
        page.get_by_text(re.compile("waiting to send")).wait_for(state="hidden", timeout=20_000)
        assert list(Message.objects.values_list("patient", "role", "body")) == [(patient.id, "patient", QUESTION)]

        clinic = desk.new_page()
        sign_in(clinic, live_server.url, "msg-physio", PASSWORD)
        clinic.get_by_role("link", name="Messages", exact=True).click()
        clinic.get_by_text("1 unread").wait_for()
        clinic.get_by_role("link", name="msg-patient").click()
        clinic.get_by_text(QUESTION).wait_for()
        clinic.get_by_role("button", name="Please book a visit.").click()
        clinic.get_by_role("button", name="Send message").click()
        clinic.get_by_text("Log the time this took").wait_for()

        page.get_by_role("link", name="Today", exact=True).click()
        page.get_by_role("link", name="Messages", exact=True).click()
        page.locator(".bubble", has_text="Please book a visit.").get_by_text("Physiotherapist").wait_for()
        assert Message.objects.filter(role="patient").count() == 1  # sent once, whatever the retries
        assert Message.objects.get(role="patient").reads.filter(user=physio).exists()
    finally:
        phone.close()
        desk.close()
