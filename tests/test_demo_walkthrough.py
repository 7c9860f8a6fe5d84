"""A physio's walkthrough on the demo data: the physio finds who needs attention and acts."""

from io import StringIO

import pytest
from django.core.management import call_command
from fhir.resources.R4B.bundle import Bundle

from notifications.models import OutcomeReview
from patients.models import User


@pytest.mark.django_db
def test_physio_finds_the_two_patients_opens_timeline_raises_load_and_exports(api):
    call_command("seed_demo", stdout=StringIO())
    client = api(None)
    token = client.post("/api/v1/auth/token/", {"username": "demo-physio", "password": "rehab-demo-2026"}).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access']}")
    first_two = client.get("/api/v1/patients/?ordering=risk").json()["results"][:2]
    assert {row["username"] for row in first_two} == {"demo-lapsing", "demo-insertional"}
    assert all(row["open_flags"] == 1 for row in first_two)
    patient = next(row for row in first_two if row["username"] == "demo-insertional")
    timeline = client.get(f"/api/v1/patients/{patient['id']}/timeline/").json()
    assert max(day["pain_max"] or 0 for day in timeline["days"]) == 7
    program = patient["active_program"]["id"]
    raised = client.patch(f"/api/v1/programs/{program}/", {"loads": {"eccentric_heel_drop_bent": 5}}, format="json")
    assert raised.json()["loads"] == {"eccentric_heel_drop_bent": 5.0}
    export = client.get(f"/api/v1/patients/{patient['id']}/export/?format=fhir")
    bundle = Bundle.model_validate_json(b"".join(export.streaming_content))
    assert any(e.resource.__resource_type__ == "Flag" for e in bundle.entry)
    assert User.objects.get(username="demo-physio").notifications.filter(kind="flag").count() == 2

    # the demo also has a patient past week 12, with an outcome VISA-A and a review decided for maintenance
    review = OutcomeReview.objects.get(program__patient__user__username="demo-after")
    assert (review.baseline, review.outcome, review.review_due) == (49, 88, False) and review.patient_note
    day = api(User.objects.get(username="demo-after")).get("/api/v1/today/").json()
    assert day["state"] == "maintenance" and day["after_week12"]["patient_note"] == review.patient_note
