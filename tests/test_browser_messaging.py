"""Messaging in a real browser: a patient writes offline, the message reaches the clinic once, the physio
answers with a quick reply from the patient's page, the push (no text) reaches the phone, and the open app
shows the answer at once."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import timezone

from messaging.models import Message, TimeEntry
from notifications.deliveries import delivery_send
from notifications.models import Delivery

from .browser import PHONE, persistent_context, poll, sign_in, wait_for_service_worker
from .factories import PASSWORD, PatientFactory, PhysicianFactory, PhysioFactory
from .test_browser_patient import FAKE_PUSH_MANAGER

pytestmark = [pytest.mark.browser, pytest.mark.services]
QUESTION = "Is a little soreness the morning after normal?"


@pytest.fixture
def team(transactional_db, settings):
    settings.CLINIC_OPEN_WEEKDAYS = [0, 1, 2, 3, 4, 5, 6]  # open round the clock: no automatic notice here
    settings.CLINIC_OPENS_AT, settings.CLINIC_CLOSES_AT = "00:00", "23:59"
    physio = PhysioFactory(username="msg-physio")
    patient = PatientFactory(
        user__username="msg-patient", physio=physio, physician=PhysicianFactory(), onboarded_at=timezone.now()
    )  # the introduction seen: this test is about messages
    return physio, patient


def test_an_offline_message_arrives_once_and_the_physios_reply_reaches_the_patient(
    live_server, team, chromium, playwright_session, push_service
):
    physio, patient = team
    desk = chromium.new_context(viewport={"width": 1280, "height": 900})
    desk.clock.install()  # the desk's clock, moved on below: time is logged in whole minutes
    with persistent_context(playwright_session, viewport=PHONE) as phone:
        phone.grant_permissions(["notifications"], origin=live_server.url)
        phone.add_init_script(FAKE_PUSH_MANAGER % json.dumps(push_service.subscription("phone")))
        page = phone.new_page()
        cdp = phone.new_cdp_session(page)
        registrations = []
        cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
        cdp.send("ServiceWorker.enable")
        sign_in(page, live_server.url, "msg-patient", PASSWORD)
        page.wait_for_url("**/today")
        wait_for_service_worker(page)
        page.get_by_role("link", name="Reminders").click()
        page.get_by_role("button", name="Turn on notifications").click()
        page.get_by_text("Notifications are on for this phone.").wait_for()
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
        clinic.get_by_text("Sent.", exact=True).wait_for()  # under a minute: nothing to log yet
        desk.clock.fast_forward("01:05")
        clinic.get_by_role("button", name=re.compile(r"Log 1 min of messaging")).click()
        clinic.get_by_text(re.compile(r"\d+ minutes? logged")).wait_for()
        assert list(TimeEntry.objects.values_list("patient", "clinician", "activity")) == [
            (patient.id, physio.id, "messaging")
        ]
        desk.close()

        [push] = Delivery.objects.filter(channel="webpush", notification__user=patient.user)
        assert delivery_send(delivery_id=push.id) == "sent"  # what a worker does with the queued delivery
        [payload] = push_service.received
        assert (payload["body"], payload["url"]) == ("New message from your clinic", "/messages")
        registration = next(r for r in registrations if r["scopeURL"] == live_server.url + "/")
        message = {"origin": live_server.url, "registrationId": registration["registrationId"]}
        cdp.send("ServiceWorker.deliverPushMessage", message | {"data": json.dumps(payload)})
        shown = poll(
            page,
            """navigator.serviceWorker.ready.then((r) => r.getNotifications())
                .then((ns) => (ns.length ? ns.map((n) => n.body) : null))""",
        )
        assert shown == ["New message from your clinic"]
        # the open app heard the push: the answer shows without a reload or the next poll
        page.locator(".bubble", has_text="Please book a visit.").get_by_text("Physiotherapist").wait_for(timeout=5_000)
        assert Message.objects.filter(role="patient").count() == 1  # sent once, whatever the retries
        assert Message.objects.get(role="patient").reads.filter(user=physio).exists()


def test_a_running_timer_outlives_a_reload_and_logs_its_minutes(live_server, team, chromium):
    """The physio starts the timer, closes the page and comes back: the timer runs on, and stopping it logs."""
    physio, patient = team
    desk = chromium.new_context(viewport={"width": 1280, "height": 900})
    desk.clock.install()  # the page's clock, moved on below: the minutes a timer counts are whole ones
    try:
        page = desk.new_page()
        sign_in(page, live_server.url, "msg-physio", PASSWORD)
        page.wait_for_url("**/caseload")
        page.goto(f"{live_server.url}/patients/{patient.id}")
        page.get_by_label("Activity").select_option("call")
        page.get_by_role("button", name="Start timer").click()
        page.get_by_role("button", name=re.compile(r"Stop timer and log \(0 min\)")).wait_for()
        page.close()
        again = desk.new_page()  # the page was closed: a new one on the same device
        again.goto(f"{live_server.url}/patients/{patient.id}")
        stop = again.get_by_role("button", name=re.compile(r"Stop timer and log"))
        stop.wait_for()
        assert again.get_by_label("Activity").input_value() == "call"
        desk.clock.fast_forward("02:30")  # two and a half minutes (and the seconds the test took): two whole ones
        again.get_by_role("button", name="Stop timer and log (2 min)").click()
        again.get_by_text("2 minutes logged").wait_for()
        assert list(TimeEntry.objects.values_list("patient", "clinician", "activity", "minutes")) == [
            (patient.id, physio.id, "call", 2)
        ]
        again.reload()
        again.get_by_role("button", name="Start timer").click()  # stopped for good; a new one under a minute
        again.get_by_role("button", name="Stop timer and log (0 min)").click()
        again.get_by_text("Less than a minute: nothing was logged.").wait_for()
        assert TimeEntry.objects.count() == 1
    finally:
        desk.close()
