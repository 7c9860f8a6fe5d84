"""GET /api/v1/patients/{id}/summary/: the discharge summary PDF, read back as text (pypdf); in scope, audited."""

import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from notifications.models import Flag, OutcomeReview
from patients.models import AuditEvent, VisaA

from .factories import PhysioFactory, ProgramFactory, SetLogFactory, visa_answers

pytestmark = pytest.mark.django_db
START = dt.date(2025, 12, 15)


def text_of(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@time_machine.travel(dt.datetime(2026, 3, 12, 12, tzinfo=dt.UTC), tick=False)
def test_the_summary_tells_the_program_adherence_scores_flags_and_what_comes_next(api, patient, physio):
    program = ProgramFactory(patient=patient, start_date=START, loads={"eccentric_heel_drop_straight": 10})
    for session in ("am", "pm"):
        SetLogFactory(program=program, date=START, session=session, pain=4)
    VisaA.objects.create(patient=patient, date=START, answers=visa_answers(48))
    VisaA.objects.create(patient=patient, date=dt.date(2026, 3, 6), answers=visa_answers(71))
    OutcomeReview.objects.create(program=program, baseline=48, outcome=71, review_due=True)
    Flag.objects.create(patient=patient, kind="pain", level="physio", reason="r", status="resolved",
                        note="Load lowered to 5 kg")  # fmt: skip
    body = {"next_state": "referred", "referral": "injection", "referral_note": "Ultrasound-guided, fat pad",
            "patient_note": "We will book the injection.", "clinical_note": "VISA-A gain 23 but below 80"}  # fmt: skip
    assert api(physio).post(f"/api/v1/programs/{program.id}/review/", body, format="json").status_code == 200

    text = text_of(api(physio).get(f"/api/v1/patients/{patient.id}/summary/"))
    flat = " ".join(text.split())
    for expected in ("discharge summary", "alfredson from 2025-12-15 to 2026-03-08", "eccentric heel drop straight 10",
                     "Adherence by week", "Mean pain by week", "VISA-A (0–100)", "2026-03-06 71",
                     "Load lowered to 5 kg", "Referred on: Injection — Ultrasound-guided, fat pad",
                     "Week-12 VISA-A 71 (baseline 48)", "Clinical note: VISA-A gain 23 but below 80",
                     "Follow-up VISA-A: 6 months (2026-06-15)"):  # fmt: skip
        assert expected in flat, expected
    assert AuditEvent.objects.filter(user=physio, patient=patient, what__contains="/summary/").exists()


def test_out_of_scope_is_a_404_and_patients_may_not(api, patient):
    assert api(PhysioFactory()).get(f"/api/v1/patients/{patient.id}/summary/").status_code == 404
    assert api(patient.user).get(f"/api/v1/patients/{patient.id}/summary/").status_code == 403


def test_a_patient_without_a_program_still_gets_a_page(api, patient, physio):
    assert "No program yet." in text_of(api(physio).get(f"/api/v1/patients/{patient.id}/summary/"))
