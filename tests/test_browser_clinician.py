"""The clinician's screens in a real browser (Chromium) against the real server and API."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from core.localtime import local_today
from exercises.models import Program
from notifications.models import Flag
from patients.models import Patient

from .browser import PHONE, check_screens, scrolls_sideways, sign_in
from .conftest import client_for
from .factories import PhysioFactory

pytestmark = [pytest.mark.browser, pytest.mark.services]
DESKTOP = {"width": 1366, "height": 768}
TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def demo(transactional_db):
    """The demo data, and a red flag for demo-hsr (a sudden pop reported this morning)."""
    call_command("seed_demo", verbosity=0)
    patients = {p.user.username: p for p in Patient.objects.select_related("user")}
    answer = client_for(patients["demo-hsr"].user).post(
        "/api/v1/checkins/",
        {"morning_pain": 6, "morning_stiffness_minutes": 10, "red_flags": ["sudden_pop"]},
        format="json",
    )
    assert answer.status_code == 201
    return patients


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport=DESKTOP, accept_downloads=True)
    yield context
    context.close()


def caseload_names(page) -> list[str]:
    page.locator("[data-testid=caseload-row]").first.wait_for()
    return page.locator("[data-testid=caseload-row] th a").all_inner_texts()


def test_physio_caseload_patient_timeline_acknowledge_load_and_fhir(live_server, demo, desktop):
    page = desktop.new_page()
    sign_in(page, live_server.url, "demo-physio")
    page.wait_for_url("**/caseload")
    names = caseload_names(page)
    assert names[0] == "demo-hsr"  # the red flag first
    assert set(names[1:3]) == {"demo-lapsing", "demo-insertional"} and names[3] == "demo-alfredson"
    assert page.locator("[data-testid=caseload-row]").first.get_by_text("Red flag").is_visible()
    assert not scrolls_sideways(page)

    page.get_by_role("link", name="demo-lapsing").click()
    page.get_by_role("heading", name="Patient demo-lapsing").wait_for()
    page.get_by_role("img", name="Prescribed and completed sets per day").wait_for()
    # weeks with finished days only: none to come drawn as 0 %
    weeks = page.locator("figure.chart", has=page.get_by_role("img", name=re.compile("^Overall: "))).locator(
        "ul.values li"
    )
    lapsing = demo["demo-lapsing"]
    started = (local_today(lapsing.timezone) - lapsing.programs.get(status="active").start_date).days
    assert weeks.count() == -(-started // 7)  # the weeks begun before today (today is not finished)
    flag = Flag.objects.get(patient=demo["demo-lapsing"], kind="non_adherence", status="open")
    page.get_by_label("Decision note").first.fill("Called her: back at work, will restart tomorrow.")
    page.get_by_role("button", name="Acknowledge").first.click()
    page.get_by_text("Low adherence · physio · acknowledged").wait_for()
    flag.refresh_from_db()
    assert flag.status == "acknowledged"

    program = Program.objects.get(patient=demo["demo-lapsing"], status="active")
    page.get_by_label("Heel drop, knee straight").fill("seven")  # not a weight: nothing saved, the field says why
    page.get_by_role("button", name="Save loads").click()
    assert (
        page.get_by_label("Heel drop, knee straight")
        .evaluate("(e) => e.validationMessage")
        .startswith("Give a weight in kg")
    )
    page.get_by_label("Heel drop, knee straight").fill("7,5")  # a decimal comma is the same weight
    page.get_by_role("button", name="Save loads").click()
    page.get_by_role("status").filter(has_text="Done.").wait_for()
    program.refresh_from_db()
    assert program.loads["eccentric_heel_drop_straight"] == 7.5

    # a day-by-day range that ends before it starts, or in the future, is not sent
    page.get_by_label("To", exact=True).fill("2099-12-31")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_label("To", exact=True).evaluate("(e) => e.validationMessage") != ""

    # the other tendon starts hurting: both sides from today, the days before keep the side they had
    page.get_by_label("New side").select_option("both")
    page.get_by_role("button", name="Change the side").click()
    page.locator(".side-change").get_by_text("Now: Both").wait_for()
    patient = Patient.objects.get(pk=demo["demo-lapsing"].pk)
    assert patient.side == "both" and [h["side"] for h in patient.side_history] == [demo["demo-lapsing"].side]

    with page.expect_download() as download:
        page.get_by_role("button", name="Export FHIR").click()
    bundle = json.loads(Path(download.value.path()).read_text())
    assert bundle["resourceType"] == "Bundle" and bundle["entry"]
    assert not scrolls_sideways(page)


def test_a_second_physio_sees_none_of_it(live_server, demo, desktop):
    other = PhysioFactory(username="other-physio")
    other.set_password("another-pass-2026")
    other.save()
    page = desktop.new_page()
    sign_in(page, live_server.url, "other-physio", "another-pass-2026")
    page.wait_for_url("**/caseload")
    page.get_by_text("No patients match.").wait_for()
    page.goto(f"{live_server.url}/patients/{demo['demo-hsr'].id}")
    page.get_by_role("alert").wait_for()
    assert "demo-hsr" not in page.content()
    page.goto(live_server.url + "/flags")
    page.get_by_text("No open flags.").wait_for()
    page.goto(live_server.url + "/caseload")
    page.get_by_label("Search by name").fill("demo")
    page.get_by_text("(0 patients)").wait_for()
    page.get_by_text("No patients match.").wait_for()
    assert "demo-" not in page.locator("main").inner_text()


def test_physician_resolves_a_red_flag_and_the_patient_today_follows(live_server, demo, desktop, chromium):
    page = desktop.new_page()
    sign_in(page, live_server.url, "demo-physician")
    page.wait_for_url("**/flags")
    first = page.locator("[data-testid=inbox-flag]").first
    first.get_by_role("heading", name="demo-hsr: Red flag").wait_for()
    assert "sudden pop" in first.inner_text().lower()
    first.get_by_label("Decision note").fill("Seen in clinic: no rupture on ultrasound. Resume.")
    first.get_by_label("Outcome").select_option("resume")
    first.get_by_label("Note for the patient").fill("The scan showed no tear: carry on as before.")
    first.get_by_role("button", name="Resolve").click()
    page.get_by_role("heading", name="demo-hsr: Red flag").wait_for(state="detached")
    page.get_by_role("status").filter(has_text="Flag resolved. The patient has been told the decision.").wait_for()
    flag = Flag.objects.get(patient=demo["demo-hsr"], kind="red_flag")
    assert (flag.status, flag.outcome) == ("resolved", "resume")
    page.get_by_role("button", name="Resolved", exact=True).click()  # the resolved view keeps it, with its notes
    resolved = page.locator("[data-testid=inbox-flag]").filter(has_text="demo-hsr")
    resolved.get_by_text("Told the patient: The scan showed no tear: carry on as before.").wait_for()
    assert "Resume the program" in resolved.inner_text() and resolved.get_by_role("button").count() == 0
    page.goto(f"{live_server.url}/patients/{demo['demo-hsr'].id}")  # and so does the patient's page
    page.locator("[data-testid=patient-flag].resolved").filter(has_text="no rupture on ultrasound").wait_for()
    page.goto(live_server.url + "/flags")

    # While the app is open, a new red flag shows an alert (checked every 30 s and when the page regains focus).
    answer = client_for(demo["demo-alfredson"].user).post(
        "/api/v1/checkins/",
        {"morning_pain": 2, "morning_stiffness_minutes": 5, "red_flags": ["fever"]},
        format="json",
    )
    assert answer.status_code == 201
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.get_by_role("alert").filter(has_text="New red flag: demo-alfredson").wait_for()

    phone = chromium.new_context(viewport={"width": 390, "height": 844})
    patient_page = phone.new_page()
    sign_in(patient_page, live_server.url, "demo-hsr")
    patient_page.locator("main h1").wait_for()
    patient_page.locator("[aria-busy=true]").wait_for(state="detached")
    assert patient_page.get_by_role("heading", name="Stop your exercises").count() == 0
    decision = patient_page.get_by_test_id("decision")  # the physician's decision replaces the on-hold advice
    decision.get_by_role("heading", name="You can start your exercises again").wait_for()
    assert "From your clinician: The scan showed no tear: carry on as before." in decision.inner_text()
    patient_page.get_by_role("link", name="Inbox").click()
    patient_page.get_by_role("heading", name="You can start your exercises again").wait_for()
    patient_page.get_by_text("No longer in force: replaced by your clinician’s decision.").wait_for()
    phone.close()


def test_keyboard_only_caseload_to_patient_to_acknowledge(live_server, demo, desktop):
    page = desktop.new_page()
    sign_in(page, live_server.url, "demo-physio")
    caseload_names(page)

    def tab_to(selector: str, limit: int = 80):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    lapsing = demo["demo-lapsing"]
    tab_to(f"a[href='/patients/{lapsing.id}']")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Patient demo-lapsing").wait_for()
    tab_to(".flag-actions button[type=button]")  # Acknowledge
    page.keyboard.press("Enter")
    page.get_by_text("· acknowledged ·").first.wait_for()
    assert Flag.objects.filter(patient=lapsing, status="acknowledged").exists()


def test_enrol_invites_by_email_and_the_patient_sets_a_password_and_lands_on_today(
    live_server, demo, chromium, settings
):
    """The physio enrols with the patient's name and e-mail (no username, no password typed); the patient opens
    the link from the e-mail on their phone, chooses a password and is signed in on today's exercises."""
    settings.PUBLIC_BASE_URL = live_server.url
    mail.outbox.clear()
    # No service worker: once one controls the page, requests that pass through it escape the route that
    # holds the physicians list back (whether it controls the page by then is a race).
    desktop = chromium.new_context(viewport=DESKTOP, service_workers="block")
    page = desktop.new_page()
    sign_in(page, live_server.url, "demo-physio")
    page.wait_for_url("**/caseload")
    held = []  # the physicians list, held back: a click before it arrives must find the button disabled
    desktop.route("**/api/v1/clinicians/*", lambda route: held.append(route))
    page.get_by_role("link", name="Enrol").click()
    page.get_by_label("First name").fill("Anna")
    page.get_by_label("Last name").fill("Jensen")
    page.get_by_label("E-mail").fill("anna.jensen@example.org")
    page.get_by_label("Tendinopathy").select_option("insertional")
    assert page.get_by_label("Protocol").input_value() == "alfredson_insertional"
    device_zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")  # "UTC" here: not in Intl's list
    assert page.get_by_label("Time zone").input_value() == device_zone  # shown, not a blank select
    assert page.get_by_label("Password").count() == 0  # the physio never types one
    submit = page.get_by_role("button", name="Create patient and program")
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert submit.is_disabled()  # says so, rather than a click that does nothing
    held[0].continue_()
    submit.click()
    status = page.get_by_test_id("invitation-status").inner_text()
    assert "anna.jensen@example.org" in status
    assert page.locator("figure.qr img").get_attribute("src").startswith("data:image/svg+xml")
    patient = Patient.objects.select_related("user").get(user__email="anna.jensen@example.org")
    assert patient.programs.get().protocol == "alfredson_insertional"
    assert patient.physio.username == "demo-physio" and not patient.user.has_usable_password()
    desktop.close()

    [message] = mail.outbox
    link = re.search(r"http://\S+/invite#[\w-]+", message.body).group(0)
    phone = chromium.new_context(viewport=PHONE)
    page = phone.new_page()
    page.goto(link)
    page.get_by_label("New password").fill("heel-drop-stairs-9")
    page.get_by_label("The same password again").fill("heel-drop-stairs-9")
    page.get_by_role("button", name="Save password and start").click()
    page.wait_for_url("**/today")
    page.get_by_role("button", name="Skip the introduction").click()  # a new patient's first sign-in
    page.get_by_role("heading", name="Today").wait_for()
    assert "#" not in page.url  # the spent token is gone from the address bar
    patient.user.refresh_from_db()
    assert patient.user.check_password("heel-drop-stairs-9")
    phone.close()


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET], ids=["desktop", "tablet"])
def test_clinician_screens_have_no_sideways_scroll_or_axe_violations(live_server, demo, chromium, viewport):
    context = chromium.new_context(viewport=viewport, bypass_csp=True)  # bypass only to inject axe-core
    page = context.new_page()
    sign_in(page, live_server.url, "demo-physio")
    page.wait_for_url("**/caseload")
    paths = ["/caseload", f"/patients/{demo['demo-lapsing'].id}", "/flags", "/messages", "/rtm", "/enrol"]
    found = check_screens(page, live_server.url, paths)
    context.close()
    assert {path: v for path, v in found.items() if v} == {}


def test_a_clinic_admin_sets_the_clinics_number_and_adds_a_physio(live_server, demo, chromium):
    """The second demo clinic's admin: its own clinic only, no patient data; what it sets reaches the patients."""
    from patients.models import Clinic, User

    context = chromium.new_context(viewport=TABLET, bypass_csp=True)  # bypass only to inject axe-core
    page = context.new_page()
    sign_in(page, live_server.url, "demo-clinic-admin")
    page.wait_for_url("**/clinic")
    assert page.get_by_label("Name", exact=True).input_value() == "Harbour Physio"
    page.get_by_label("Phone number (the call button in the app)").fill("+45 99 88 77 66")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("status").filter(has_text="Saved").wait_for()
    page.get_by_label("Username").fill("harbour-new-physio")
    page.get_by_label("Password").fill("tendon-loading-7")
    page.get_by_role("button", name="Add", exact=True).click()
    staff = page.get_by_test_id("clinic-staff")
    staff.get_by_text("harbour-new-physio").wait_for()
    # the new physio's account can be turned off; the admin's own cannot (the server refuses it), so no button
    assert staff.locator("li").filter(has_text="harbour-new-physio").get_by_role("button", name="Turn off").count() == 1
    assert staff.locator("li").filter(has_text="demo-clinic-admin").get_by_role("button").count() == 0
    found = check_screens(page, live_server.url, ["/clinic"])
    context.close()
    assert {path: v for path, v in found.items() if v} == {}
    harbour = Clinic.objects.get(slug="harbour")
    assert harbour.contact_phone == "+45 99 88 77 66"
    assert list(User.objects.get(username="harbour-new-physio").clinics.all()) == [harbour]
