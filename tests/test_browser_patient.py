"""The patient's PWA in a real browser (Chromium, 390×844), against the real server and API."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.localtime import local_today
from exercises.models import SetLog
from notifications.models import Flag, PushSubscription
from patients.models import AccessDay, CheckIn, VisaA

from .browser import (
    PHONE,
    axe_violations,
    check_screens,
    persistent_context,
    poll,
    scrolls_sideways,
    sign_in,
    wait_for_service_worker,
)
from .waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.services]


def first_card_count(page) -> int:
    text = page.locator("[data-testid=count]").first.inner_text()
    return int(re.match(r"(\d+) of", text).group(1))


def wait_synced(page, timeout=20_000):
    page.get_by_text("Saved on this phone").wait_for(state="hidden", timeout=timeout)
    page.get_by_text(re.compile("waiting to sync")).wait_for(state="hidden", timeout=timeout)


def log_set(page, pain: int = 2):
    """One set on the first card, and wait until the card counts it."""
    expected = first_card_count(page) + 1
    page.get_by_role("button", name="Log a set").first.click()
    page.get_by_label("Pain during the set (0–10)").fill(str(pain))
    page.get_by_role("button", name="Save set").click()
    page.locator("[data-testid=count]").first.filter(has_text=f"{expected} of").wait_for()


def test_sign_in_log_sets_and_the_counts_survive_a_reload(live_server, demo, phone):
    patient = demo["demo-alfredson"]
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.wait_for_url("**/today")
    page.locator(".card").first.wait_for()
    before, stored = first_card_count(page), SetLog.objects.filter(patient=patient).count()
    log_set(page, pain=4)
    log_set(page)
    assert first_card_count(page) == before + 2  # counted at once, before the undo window ends
    wait_synced(page)
    page.reload()
    page.locator(".card").first.wait_for()
    assert first_card_count(page) == before + 2
    assert SetLog.objects.filter(patient=patient).count() == stored + 2
    assert sorted(SetLog.objects.filter(patient=patient).order_by("-id").values_list("pain", flat=True)[:2]) == [2, 4]
    assert not scrolls_sideways(page)


def test_a_load_typed_with_a_decimal_comma_is_that_load(live_server, demo, phone):
    """A load of "2,5" is 2.5 kg (a number field read it as 25); what is not a weight keeps the sheet open."""
    patient = demo["demo-alfredson"]
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    before = first_card_count(page)
    page.get_by_role("button", name="Log a set").first.click()
    page.get_by_label("Load (kg)").fill("2,5,0")
    page.get_by_role("button", name="Save set").click()
    assert page.get_by_label("Load (kg)").evaluate("(e) => e.validationMessage").startswith("Give a weight in kg")
    page.get_by_label("Load (kg)").fill("2,5")
    page.get_by_role("button", name="Save set").click()
    page.locator("[data-testid=count]").first.filter(has_text=f"{before + 1} of").wait_for()
    wait_synced(page)
    assert float(SetLog.objects.filter(patient=patient).latest("id").load_kg) == 2.5


def test_messages_offline_show_the_phones_copy_of_the_conversation(live_server, demo, phone):
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-hsr")  # a patient with a conversation
    page.locator(".card").first.wait_for()
    wait_for_service_worker(page)
    page.get_by_role("link", name="Messages", exact=True).click()
    page.get_by_label("Write to your care team").fill("Is a little swelling after the sets normal?")
    page.get_by_role("button", name="Send message").click()
    page.locator(".bubble").filter(has_text="little swelling").filter(has_not_text="waiting to send").wait_for()
    phone.set_offline(True)
    page.get_by_role("link", name="Today", exact=True).click()
    page.locator(".card").first.wait_for()
    page.get_by_role("link", name="Messages", exact=True).click()
    page.get_by_test_id("messages-copy").wait_for()  # said to be the phone's copy, not "No messages yet"
    assert page.locator(".bubble").filter(has_text="little swelling").count() == 1
    assert page.get_by_text("No messages yet").count() == 0


def test_the_check_in_says_when_todays_is_already_sent(live_server, demo, phone):
    patient = demo["demo-alfredson"]
    CheckIn.objects.filter(patient=patient, date=local_today(patient.timezone)).delete()
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    page.get_by_role("link", name="Check-in", exact=True).click()
    page.get_by_label("Minutes of stiffness after getting up").wait_for()
    assert page.get_by_test_id("checkin-done").count() == 0  # none yet today
    page.get_by_role("button", name="Send check-in").click()
    page.get_by_text("Check-in saved").wait_for()
    page.get_by_role("link", name="Back to Today").click()
    page.locator(".card").first.wait_for()
    page.get_by_role("link", name="Check-in", exact=True).click()
    page.get_by_test_id("checkin-done").wait_for()  # sent already: another only if something changed
    assert "already sent" in page.get_by_test_id("checkin-done").inner_text()


def test_undo_takes_the_set_back_before_it_is_sent(live_server, demo, phone):
    patient = demo["demo-alfredson"]
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    before, stored = first_card_count(page), SetLog.objects.filter(patient=patient).count()
    log_set(page)
    page.get_by_role("button", name="Undo").click()
    page.get_by_role("status").filter(has_text="Set taken back").wait_for()
    assert first_card_count(page) == before
    page.wait_for_timeout(6_000)  # past the undo window: nothing may be sent
    assert SetLog.objects.filter(patient=patient).count() == stored


def test_offline_sets_and_a_checkin_reach_the_server_exactly_once(live_server, demo, chromium):
    # The patient's days are counted in Kiritimati (UTC+14), the phone's clock is in Pago Pago (UTC-11): 25 hours
    # apart, so the two calendars never show the same date, and a check-in dated by the phone would be a day off.
    patient = demo["demo-alfredson"]
    patient.timezone = "Pacific/Kiritimati"
    patient.save(update_fields=["timezone"])
    today = local_today(patient.timezone)
    CheckIn.objects.filter(patient=patient, date=today).delete()
    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, timezone_id="Pacific/Pago_Pago")
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    wait_for_service_worker(page)
    page.get_by_test_id("checkin-prompt").wait_for()  # not checked in today
    before, stored = first_card_count(page), SetLog.objects.filter(patient=patient).count()
    stored_today = SetLog.objects.filter(patient=patient, date=today).count()
    checkins = CheckIn.objects.filter(patient=patient).count()

    phone.set_offline(True)
    page.get_by_text("You are offline").wait_for()
    log_set(page)
    log_set(page)
    page.get_by_role("link", name="Check-in", exact=True).click()
    page.get_by_label("Minutes of stiffness after getting up").fill("20")
    page.get_by_role("button", name="Send check-in").click()
    page.get_by_text("Check-in saved").wait_for()
    page.get_by_text("3 waiting to sync").wait_for()
    page.close()  # the app killed while offline

    again = phone.new_page()
    again.goto(live_server.url + "/today")  # served by the service worker: no network
    again.locator(".card").first.wait_for()
    again.get_by_text("3 waiting to sync").wait_for()
    assert first_card_count(again) == before + 2
    assert again.get_by_test_id("checkin-prompt").count() == 0  # today's check-in is on this phone: not asked again
    assert SetLog.objects.filter(patient=patient).count() == stored

    # back online only the next day (for the patient): what was answered today keeps today's date
    next_noon = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(12), ZoneInfo(patient.timezone))
    with time_machine.travel(next_noon, tick=True):
        phone.set_offline(False)
        wait_synced(again)
        assert SetLog.objects.filter(patient=patient, date=today).count() == stored_today + 2
        assert CheckIn.objects.filter(patient=patient).count() == checkins + 1
        assert CheckIn.objects.filter(patient=patient).latest("id").date == today  # answered today, sent tomorrow
        again.reload()  # the new day: nothing done yet, and its check-in still to do
        again.locator(".card").first.wait_for()
        assert first_card_count(again) == 0
        again.get_by_test_id("checkin-prompt").wait_for()
    phone.close()


def test_offline_on_a_new_day_sets_count_for_today_not_for_the_copys_day(live_server, demo, phone):
    patient = demo["demo-alfredson"]
    today = local_today(patient.timezone)
    yesterday_noon = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(12), ZoneInfo(patient.timezone))
    page = phone.new_page()
    with time_machine.travel(yesterday_noon, tick=True):  # the phone last saw Today yesterday
        sign_in(page, live_server.url, "demo-alfredson")
        page.locator(".card").first.wait_for()
        wait_for_service_worker(page)
    stored = SetLog.objects.filter(patient=patient, date=today).count()

    phone.set_offline(True)
    page.reload()  # the next morning, no network: Today from the phone's copy of yesterday
    page.get_by_test_id("today-copy").wait_for()
    assert "today’s plan may differ" in page.get_by_test_id("today-copy").inner_text()
    assert first_card_count(page) == 0  # yesterday's sets are not today's
    log_set(page)
    phone.set_offline(False)
    wait_synced(page)
    assert SetLog.objects.filter(patient=patient, date=today).count() == stored + 1


def test_today_left_open_overnight_turns_to_the_new_day(live_server, demo, phone):
    patient = demo["demo-alfredson"]
    today = local_today(patient.timezone)
    page = phone.new_page()
    page.clock.install()  # the page's own clock, to move past the patient's midnight
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    shown = page.locator(".subtitle").inner_text()
    next_noon = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(12), ZoneInfo(patient.timezone))
    with time_machine.travel(next_noon, tick=True):
        page.clock.set_system_time(next_noon)
        page.clock.run_for(61_000)  # the minute's look at the patient's day
        page.locator(".subtitle").filter(has_not_text=shown).wait_for()
        assert first_card_count(page) == 0  # the new day's sets: none yet (logging now counts for it)
        page.get_by_test_id("checkin-prompt").wait_for()


def test_the_app_opened_again_counts_the_day_for_rtm(live_server, demo, phone):
    """A kept session opens the app without signing in: the day still counts as one the app was opened on."""
    patient = demo["demo-alfredson"]
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    opened = AccessDay.objects.filter(patient=patient, date=local_today(patient.timezone))
    assert wait_for(opened.exists)
    opened.delete()  # as if the sign-in had been on an earlier day
    page.close()

    again = phone.new_page()
    again.goto(live_server.url + "/today")
    again.locator(".card").first.wait_for()
    assert wait_for(opened.exists), "the app opened with a kept session told the server nothing"
    assert opened.count() == 1


# Chart texts (axis labels, values, reference names) that do not fit inside their chart's drawing.
CHART_TEXT_OUTSIDE = """() => [...document.querySelectorAll('figure.chart svg')].flatMap((svg) => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].filter((t) => {
    const r = t.getBoundingClientRect();
    return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5;
  }).map((t) => t.textContent);
})"""


def test_progress_offline_shows_the_last_answer_with_its_date(live_server, demo, phone):
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    wait_for_service_worker(page)
    page.get_by_role("link", name="Progress", exact=True).click()
    chart = page.get_by_role("img", name="Sets done, week by week")
    chart.wait_for()
    assert page.get_by_test_id("progress-copy").count() == 0  # online: the server's answer, no note
    bars = chart.inner_html()
    assert page.locator("svg[role=img]").count() >= 2  # the adherence bars and the pain line
    assert page.evaluate(CHART_TEXT_OUTSIDE) == []  # every label and value wholly inside its chart

    phone.set_offline(True)
    page.get_by_role("link", name="Today", exact=True).click()
    page.locator(".card").first.wait_for()
    page.get_by_role("link", name="Progress", exact=True).click()
    page.get_by_test_id("progress-copy").wait_for()  # offline: this phone's copy, said so (not an error)
    assert "Shown from this phone’s copy of" in page.get_by_test_id("progress-copy").inner_text()
    assert chart.inner_html() == bars  # the same weeks and bars as online
    assert page.get_by_role("button", name="Try again").count() == 0


def test_a_red_flag_checkin_shows_the_advice_and_flags_the_physician(live_server, demo, phone):
    patient = demo["demo-insertional"]
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-insertional")
    page.get_by_role("link", name="Check-in", exact=True).click()
    page.get_by_label("A sudden pop, or a feeling of being kicked in the heel").check()
    page.get_by_role("button", name="Send check-in").click()
    page.get_by_role("heading", name="Your tendon may be torn").wait_for()
    page.get_by_text("Your physician has been told").wait_for()
    # the patient's clinic: its name in the header, its number behind a call button
    assert "City Tendon Clinic" in page.get_by_test_id("clinic-name").inner_text()
    call = page.get_by_role("link", name=re.compile("Call City Tendon Clinic")).first
    assert call.get_attribute("href") == "tel:+4570203040"
    assert page.get_by_test_id("opening-hours").inner_text() == "City Tendon Clinic is open Mon–Fri 8:00–16:00."
    flag = Flag.objects.get(patient=patient, kind="red_flag", status="open")
    assert flag.level == "physician"
    page.get_by_role("link", name="Today", exact=True).click()
    page.get_by_role("heading", name="Stop your exercises").wait_for()
    assert page.get_by_role("button", name="Log a set").count() == 0


@pytest.mark.parametrize(("branch", "value"), [("A", 21), ("B", 10), ("C", 5)])
def test_visa_a_each_item8_branch_scores_as_published(live_server, demo, phone, branch, value):
    patient = demo["demo-lapsing"]
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-lapsing")
    page.wait_for_url("**/today")
    page.goto(live_server.url + "/visa-a")
    page.locator("input[name=q3][value='3']").check()
    page.get_by_role("button", name="Send questionnaire").click()  # not all answered: it says which
    assert page.get_by_test_id("visa-missing").inner_text() == "Please answer questions 1, 2, 4, 5, 6, 7, 8."
    for item in range(1, 7):
        page.locator(f"input[name=q{item}][value='{item}']").check()
    page.locator("input[name=q7][value='4']").check()
    page.locator(f"input[name=q8-branch][value='{branch}']").check()
    page.locator(f"input[name=q8][value='{value}']").check()
    page.get_by_role("button", name="Send questionnaire").click()
    score = 1 + 2 + 3 + 4 + 5 + 6 + 4 + value
    page.get_by_text(f"Your VISA-A score: {score} of 100").wait_for()
    stored = VisaA.objects.filter(patient=patient).latest("id")
    assert (stored.score, stored.item8_branch, stored.answers[7]) == (score, branch, value)


# The browser's push service is the edge of the world: Chromium's own (Google's) cannot be reached here, so the
# page's PushManager hands out a subscription of the local fake push service, which decrypts what it gets.
FAKE_PUSH_MANAGER = """
(() => {
  const sub = %s;
  const fake = { endpoint: sub.endpoint, toJSON: () => sub, unsubscribe: async () => true };
  let subscribed = false;
  PushManager.prototype.subscribe = async function () { subscribed = true; return fake; };
  PushManager.prototype.getSubscription = async function () { return subscribed ? fake : null; };
})();
"""


def test_push_subscribe_deliver_show_and_unsubscribe(live_server, demo, playwright_session, push_service):
    from notifications.deliveries import inline_delivery, notify

    patient = demo["demo-hsr"]
    with persistent_context(playwright_session, viewport=PHONE) as context:
        context.grant_permissions(["notifications"], origin=live_server.url)
        context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(push_service.subscription("phone")))
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        registrations = []
        cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: registrations.extend(e["registrations"]))
        cdp.send("ServiceWorker.enable")
        sign_in(page, live_server.url, "demo-hsr")
        page.wait_for_url("**/today")
        wait_for_service_worker(page)
        page.get_by_role("link", name="Reminders").click()
        page.get_by_role("button", name="Turn on notifications").click()
        page.get_by_text("Notifications are on for this phone.").wait_for()
        subscription = PushSubscription.objects.get(user=patient.user)
        assert subscription.endpoint == push_service.subscription("phone")["endpoint"]

        with inline_delivery():
            notify(
                user=patient.user,
                kind="reminder",
                title="Time for your exercises",
                body="Today's sets wait.",
                push_text="Time for your calf raises",
                dedupe_key="browser-push",
                patient=patient,
                url="/today",
            )
        assert push_service.received == [
            {"title": "Rehab Tracker", "body": "Time for your calf raises", "url": "/today",
             "notification": push_service.received[0]["notification"]}
        ]  # fmt: skip

        registration = next(r for r in registrations if r["scopeURL"] == live_server.url + "/")
        message = {"origin": live_server.url, "registrationId": registration["registrationId"]}
        cdp.send("ServiceWorker.deliverPushMessage", message | {"data": json.dumps(push_service.received[0])})
        shown = poll(
            page,
            """navigator.serviceWorker.ready
                .then((registration) => registration.getNotifications())
                .then((ns) => (ns.length ? ns.map((n) => [n.title, n.body, n.data.url]) : null))""",
        )
        assert shown == [["Rehab Tracker", "Time for your calf raises", "/today"]]

        page.get_by_role("button", name="Turn off notifications").click()
        page.get_by_role("button", name="Turn on notifications").wait_for()
        assert not PushSubscription.objects.filter(user=patient.user).exists()

        # Signing out ends this phone's subscription on the server too: a shared phone stops getting them.
        page.get_by_role("button", name="Turn on notifications").click()
        page.get_by_text("Notifications are on for this phone.").wait_for()
        assert PushSubscription.objects.filter(user=patient.user).count() == 1
        page.get_by_role("button", name="Sign out").click()
        page.get_by_label("Username").wait_for()
        assert not PushSubscription.objects.filter(user=patient.user).exists()
        assert page.evaluate(STORED) == {"kv": [], "outbox": [], "caches": []}


def test_installable_strict_csp_and_nothing_from_another_host(live_server, demo, playwright_session):
    hosts = set()
    # A profile on disk: Chromium does not offer to install from an incognito context.
    with persistent_context(playwright_session, viewport=PHONE) as phone:
        phone.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
        page = phone.new_page()
        answer = page.goto(live_server.url + "/")
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        sign_in(page, live_server.url, "demo-alfredson")
        page.locator(".card").first.wait_for()
        wait_for_service_worker(page)
        for link in ["Check-in", "Progress", "Reminders", "Inbox", "Today"]:
            page.get_by_role("navigation").get_by_role("link", name=link, exact=True).click()
            page.locator("main h1").wait_for()
        cdp = phone.new_cdp_session(page)
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
        manifest = page.request.get(live_server.url + "/manifest.webmanifest").json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/today"
    assert {(i["sizes"], i["purpose"]) for i in manifest["icons"]} == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    }
    assert hosts == {urlsplit(live_server.url).netloc}


def test_no_screen_scrolls_sideways_or_fails_axe(live_server, demo, chromium):
    context = chromium.new_context(viewport=PHONE, bypass_csp=True)  # bypass only to inject axe-core
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Username").wait_for()
    found = {"/signin": axe_violations(page)}
    found |= check_screens(page, live_server.url, ["/reset-password", "/invite#a-token"])  # before signing in
    sign_in(page, live_server.url, "demo-alfredson")
    page.wait_for_url("**/today")
    found |= check_screens(
        page,
        live_server.url,
        ["/today", "/checkin", "/visa-a", "/progress", "/reminders", "/inbox", "/learn", "/messages"],
    )
    # the progress charts name their reference lines and scales, and say what the VISA-A score means
    page.goto(live_server.url + "/progress")
    page.locator("figure.chart").first.wait_for()
    lines = page.get_by_test_id("reference-line").all_text_contents()
    axes = page.locator(".axis-title").all_text_contents()
    meaning = page.get_by_text("VISA-A runs from 0 to 100").count()
    context.close()
    assert {path: v for path, v in found.items() if v} == {}
    assert lines == ["Aim: 80%", "Limit 5/10"]
    assert axes == ["Sets done", "Pain 0–10", "Score 0–100"] and meaning == 1


SESSION = """
() => new Promise((resolve, reject) => {
  const open = indexedDB.open('rehab-tracker');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction('kv').objectStore('kv').get('session');
    get.onsuccess = () => resolve(get.result ?? null);
  };
})
"""

SPOIL = """
(fields) => new Promise((resolve) => {
  const open = indexedDB.open('rehab-tracker');
  open.onsuccess = () => {
    const store = open.result.transaction('kv', 'readwrite').objectStore('kv');
    const get = store.get('session');
    get.onsuccess = () => {
      store.put({ ...get.result, ...fields }, 'session').onsuccess = () => resolve(true);
    };
  };
})
"""


def test_an_expired_access_token_is_refreshed_once_then_sign_in_is_asked(live_server, demo, phone):
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    refresh = page.evaluate(SESSION)["refresh"]
    page.evaluate(SPOIL, {"access": "expired-or-forged"})
    page.reload()
    page.locator(".card").first.wait_for()  # the refresh token got a new access token
    session = page.evaluate(SESSION)
    assert session["access"] != "expired-or-forged" and session["refresh"] != refresh  # rotated
    page.evaluate(SPOIL, {"access": "bad", "refresh": "bad"})
    page.reload()
    page.get_by_text("Your session has ended. Please sign in again.").wait_for()
    assert page.evaluate(SESSION) is None


STORED = """
() => new Promise((resolve) => {
  const open = indexedDB.open('rehab-tracker');
  open.onsuccess = () => {
    const names = [...open.result.objectStoreNames];
    const tx = open.result.transaction(names);
    const keys = {};
    for (const name of names) {
      const all = tx.objectStore(name).getAllKeys();
      all.onsuccess = () => { keys[name] = all.result; };
    }
    tx.oncomplete = async () => {
      const caches_ = (await caches.keys()).filter((c) => !c.startsWith('workbox-precache'));
      resolve({ ...keys, caches: caches_ });
    };
  };
})
"""


def test_sign_out_on_a_shared_phone_leaves_nothing_of_the_user(live_server, demo, phone):
    """Red-flag advice cached for offline use, an entry still waiting: after Sign out every store is empty."""
    patient = demo["demo-insertional"]
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-insertional")
    page.get_by_role("link", name="Check-in", exact=True).click()
    page.get_by_label("A sudden pop, or a feeling of being kicked in the heel").check()
    page.get_by_role("button", name="Send check-in").click()
    page.get_by_text("Your physician has been told").wait_for()
    page.get_by_role("link", name="Today", exact=True).click()
    page.get_by_role("heading", name="Stop your exercises").wait_for()
    stored = page.evaluate(STORED)
    assert f"today:{patient.user.id}" in stored["kv"] and "session" in stored["kv"]
    page.context.set_offline(True)
    page.get_by_role("link", name="Check-in", exact=True).click()
    page.get_by_role("button", name="Send check-in").click()
    page.get_by_text(re.compile("waiting to sync")).wait_for()
    page.once("dialog", lambda dialog: dialog.accept())  # "1 entry has not been sent": sign out anyway (offline)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").wait_for()
    assert page.evaluate(STORED) == {"kv": [], "outbox": [], "caches": []}


def test_large_text_does_not_break_the_layout(live_server, demo, phone):
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-alfredson")
    page.locator(".card").first.wait_for()
    page.evaluate("document.documentElement.style.fontSize = '200%'")  # as a phone's largest text setting
    for path in ["/today", "/checkin", "/visa-a", "/reminders"]:
        page.goto(live_server.url + path)
        page.locator("main h1").wait_for()
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        assert not scrolls_sideways(page), path
