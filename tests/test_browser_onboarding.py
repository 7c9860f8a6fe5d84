"""A new patient's first sign-in in a real browser (390×844): the introduction shows once per account, can be
skipped, and is there again from Learn; the first HSR week guides finding the 15 RM and says what comes next."""

from __future__ import annotations

import pytest
from django.utils import timezone

from patients.models import Patient

from .browser import PHONE, sign_in
from .factories import PASSWORD, PatientFactory, ProgramFactory
from .waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.services]


@pytest.fixture
def newcomer(transactional_db):
    patient = PatientFactory(timezone="UTC", user__username="new-patient")
    ProgramFactory(patient=patient, protocol="hsr", start_date=timezone.now().date())  # day 1 of week 1
    return patient


def new_phone(chromium):
    return chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)


def test_the_introduction_shows_once_per_account_and_again_from_learn(live_server, newcomer, chromium):
    phone = new_phone(chromium)
    page = phone.new_page()
    sign_in(page, live_server.url, "new-patient", PASSWORD)
    page.get_by_role("heading", name="Welcome to Rehab Tracker").wait_for()
    page.get_by_role("heading", name="What Achilles tendinopathy is").wait_for()
    assert "2–3 cm above the heel" in page.locator("main").inner_text()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="Why loading the tendon helps").wait_for()
    page.get_by_role("button", name="Next").click()
    pain = page.locator("[data-part=pain]")
    pain.get_by_role("heading", name="What pain is allowed").wait_for()
    assert "0–2 is safe, 3–5 is acceptable, 6–10 is too much" in pain.inner_text()  # the server's zones
    page.get_by_role("button", name="Skip the introduction").click()

    page.get_by_role("heading", name="Today").wait_for()  # skipped: stored on the account
    assert wait_for(lambda: Patient.objects.get(pk=newcomer.pk).onboarded_at is not None)
    page.get_by_test_id("where").filter(has_text="Week 1 of 12. Next week: 3 × 12 RM").wait_for()
    card = page.get_by_role("article", name="Seated calf raise")
    card.get_by_role("heading", name="Find your 15 RM").wait_for()
    assert "add a little load before the next set" in card.inner_text()

    page.reload()
    page.get_by_role("heading", name="Today").wait_for()
    page.locator("[aria-busy=true]").wait_for(state="detached")
    assert page.get_by_role("heading", name="Welcome to Rehab Tracker").count() == 0

    page.get_by_role("link", name="Learn").click()
    page.get_by_role("heading", name="About your tendon and the program").wait_for()
    learn = page.locator("main").inner_text()
    assert "If exercise is not enough" in learn and "never into the tendon itself" in learn
    page.get_by_role("button", name="Show the introduction again").click()
    page.get_by_text("Part 1 of 6").wait_for()
    for _ in range(5):
        page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="If exercise is not enough").wait_for()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("heading", name="About your tendon and the program").wait_for()
    phone.close()

    other = new_phone(chromium)  # another phone, the same account: not shown again
    page = other.new_page()
    sign_in(page, live_server.url, "new-patient", PASSWORD)
    page.get_by_role("heading", name="Today").wait_for()
    page.locator("[aria-busy=true]").wait_for(state="detached")
    assert page.get_by_role("heading", name="Welcome to Rehab Tracker").count() == 0
    other.close()
