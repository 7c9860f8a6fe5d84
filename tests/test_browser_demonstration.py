"""A clinic's own demonstration video, uploaded in the admin, plays in the player from this origin, and plays
again offline after that first view (the service worker keeps the file and answers the video's range
requests from it). Chromium at 390×844 against the real server.

``fixtures/demonstration.webm`` (3 KB) was made with Chromium's MediaRecorder: 2 s of a moving square drawn on
a 96×64 canvas, VP8.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.localtime import local_today
from exercises.models import Demonstration

from .browser import PHONE, axe_violations, poll, wait_for_service_worker
from .factories import PASSWORD, AdminFactory, PatientFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.services]
VIDEO = Path(__file__).parent / "fixtures" / "demonstration.webm"
PLAYING = "(() => { const v = document.querySelector('[data-testid=demonstration-video]');" \
          " return v && v.readyState >= 2 && v.currentTime > 0 && v.currentSrc; })()"  # fmt: skip


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload_in_the_admin(chromium, base: str) -> None:
    admin = AdminFactory()
    context = chromium.new_context()
    page = context.new_page()
    page.goto(base + "/admin/exercises/demonstration/add/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Exercise").select_option("eccentric_heel_drop_straight")
    page.get_by_label("Kind").select_option("video")
    page.get_by_label("File").set_input_files(VIDEO)
    page.get_by_label("Caption").fill("Our physio lowers off a step, knee straight")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was added successfully").wait_for()
    context.close()


def start_set(page) -> None:
    page.get_by_role("button", name="Start set").first.click()
    page.get_by_test_id("demonstration-video").wait_for()


def test_a_clinic_uploaded_video_plays_from_this_origin_and_offline_after_the_first_view(
    live_server, transactional_db, media_root, chromium
):
    upload_in_the_admin(chromium, live_server.url)
    demonstration = Demonstration.objects.get()
    assert (media_root / demonstration.file.name).read_bytes() == VIDEO.read_bytes()
    patient = PatientFactory()
    ProgramFactory(patient=patient, protocol="alfredson", start_date=local_today(patient.timezone))

    # CSP bypassed only so that axe-core can be injected; the app runs as it does on a phone
    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    try:
        page = phone.new_page()
        media = []
        page.on("request", lambda r: "/media/" in r.url and media.append(r.url))
        page.goto(live_server.url + "/")
        page.get_by_label("Username").fill(patient.user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.locator(".card").first.wait_for()
        wait_for_service_worker(page)
        start_set(page)
        source = poll(page, PLAYING)
        assert source == f"{live_server.url}/media/{demonstration.file.name}"  # this origin
        assert media  # the video element asked (through the service worker)
        assert page.get_by_text("Shown by your clinic: Our physio lowers off a step").is_visible()
        assert page.locator("[data-testid=figure]").count() == 0  # the clinic's video in place of the drawing
        assert not axe_violations(page)
        kept = f"caches.open('demonstrations').then((c) => c.match('{source}')).then((r) => r && r.status)"
        assert poll(page, kept) == 200  # the whole file, kept

        phone.set_offline(True)
        page.reload()  # the app from the service worker; nothing of the video left in the page
        page.locator(".card").first.wait_for()
        start_set(page)
        assert poll(page, PLAYING) == source
    finally:
        phone.close()
