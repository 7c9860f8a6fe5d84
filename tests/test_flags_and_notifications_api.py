"""Flags (list, acknowledge, resolve) and a user's own notifications."""

import pytest

from notifications.deliveries import notify
from notifications.models import Flag, Notification

from .factories import PatientFactory


@pytest.fixture
def flag(patient):
    return Flag.objects.create(patient=patient, kind="non_adherence", level="physio", reason="7-day adherence 21%")


def test_flags_list_in_scope_with_filters(api, physio, physician, flag):
    Flag.objects.create(patient=PatientFactory(), kind="pain", level="physio", reason="not mine")
    rows = api(physio).get("/api/v1/flags/?status=open").json()["results"]
    assert [(r["id"], r["patient"], r["kind"], r["level"], r["status"]) for r in rows] == [
        (flag.id, flag.patient_id, "non_adherence", "physio", "open")
    ]
    assert {"reason", "created_at"} <= set(rows[0])
    assert api(physician).get("/api/v1/flags/?kind=non_adherence").json()["count"] == 1
    assert api(physio).get("/api/v1/flags/?status=resolved").json()["count"] == 0
    assert api(physio).get("/api/v1/flags/?status=closed").status_code == 400


def test_patients_may_not_list_flags(api, patient, flag):
    assert api(patient.user).get("/api/v1/flags/").status_code == 403
    assert api(None).get("/api/v1/flags/").status_code == 401


def test_acknowledge_then_resolve_records_who_and_when(api, physio, flag):
    client = api(physio)
    ack = client.post(f"/api/v1/flags/{flag.id}/acknowledge/", {"note": "Called her."}, format="json").json()
    assert ack["status"] == "acknowledged" and ack["acknowledged_by"] == physio.id and ack["acknowledged_at"]
    done = client.post(f"/api/v1/flags/{flag.id}/resolve/", {"note": "Back on track."}, format="json").json()
    assert done["status"] == "resolved" and done["resolved_by"] == physio.id
    assert done["note"] == "Called her.\nBack on track."
    again = client.post(f"/api/v1/flags/{flag.id}/resolve/", {"note": "Again."}, format="json")
    assert again.status_code == 400 and "status" in again.json()


def test_physician_level_is_for_the_physician(api, physio, physician, flag):
    Flag.objects.filter(pk=flag.pk).update(level="physician")
    assert api(physio).post(f"/api/v1/flags/{flag.id}/acknowledge/", {}, format="json").status_code == 403
    response = api(physician).post(f"/api/v1/flags/{flag.id}/resolve/", {"note": "Refer for PRP."}, format="json")
    assert response.status_code == 200 and response.json()["note"] == "Refer for PRP."


def test_out_of_scope_flag_is_404(api, flag):
    other_physio = PatientFactory().physio
    assert api(other_physio).post(f"/api/v1/flags/{flag.id}/acknowledge/", {}, format="json").status_code == 404


def test_notifications_are_own_newest_first_and_can_be_read(api, patient, physio):
    for n in range(3):
        notify(user=patient.user, kind="reminder", title=f"t{n}", body="b", push_text="p", dedupe_key=f"k{n}")
    notify(user=physio, kind="flag", title="theirs", body="b", push_text="p", dedupe_key="other")
    client = api(patient.user)
    rows = client.get("/api/v1/notifications/").json()["results"]
    assert [r["title"] for r in rows] == ["t2", "t1", "t0"]
    assert set(rows[0]) >= {"id", "kind", "title", "body", "created_at", "read_at"}
    read = client.post(f"/api/v1/notifications/{rows[0]['id']}/read/").json()
    assert read["read_at"] is not None
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    theirs = Notification.objects.get(dedupe_key="other")
    assert client.post(f"/api/v1/notifications/{theirs.id}/read/").status_code == 404
