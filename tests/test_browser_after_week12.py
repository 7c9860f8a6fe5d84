"""After week 12 in a real browser: the physio decides the review and signs the running gate on the patient's
page; the patient reads the note on Today and logs a run (phone size)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from exercises.models import RunLog
from notifications.models import OutcomeReview

from .browser import PHONE, scrolls_sideways, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.services]
NOTE = "Your tendon is ready for running: start with two minutes."


def test_physio_decides_return_to_running_signs_the_gate_and_the_patient_runs(live_server, transactional_db,
                                                                             chromium):  # fmt: skip
    call_command("seed_demo", verbosity=0)
    review = OutcomeReview.objects.select_related("program__patient").get(program__patient__user__username="demo-after")
    clinic = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = clinic.new_page()
    sign_in(page, live_server.url, "demo-physio")
    page.wait_for_url("**/caseload")
    page.goto(f"{live_server.url}/patients/{review.program.patient_id}")
    page.get_by_role("heading", name="After week 12").wait_for()
    assert "Maintenance" in page.get_by_test_id("next-state").inner_text()
    page.get_by_label("What comes next").select_option("return_to_running")
    page.get_by_label("Note for the patient").fill(NOTE)
    page.get_by_role("button", name="Save decision and tell the patient").click()
    page.get_by_test_id("next-state").filter(has_text="Return to running").wait_for()
    for item in ("Pain at most 2/10", "Single-leg heel raises", "Hopping without pain", "The patient feels ready"):
        page.get_by_label(item).check()
    page.get_by_role("button", name="Sign checklist").click()
    page.get_by_test_id("gate-signed").filter(has_text="Signed by demo-physio").wait_for()
    clinic.close()

    phone = chromium.new_context(viewport=PHONE)
    page = phone.new_page()
    sign_in(page, live_server.url, "demo-after")
    page.get_by_role("heading", name="Return to running").wait_for()
    assert page.get_by_text(NOTE).is_visible() and page.get_by_text("Step 1 of 10").is_visible()
    page.get_by_label("Minutes of running").fill("2")
    page.get_by_role("button", name="Save run").click()
    page.get_by_label("Pain this morning").wait_for()  # the run waits for the next morning's pain
    assert not scrolls_sideways(page)
    phone.close()
    [run] = RunLog.objects.all()
    assert (run.step, run.minutes_run, run.pain_during) == (1, 2, 0)
