"""The scope matrix (docs/api.md §2): every endpoint × every role × in and out of scope.

Outside scope answers 404 (a detail) or an empty list; a role that may read but
not write answers 403; anonymous answers 401.
"""

import datetime as dt
import uuid

import pytest

from notifications.models import Flag
from patients.models import CheckIn, VisaA

from .factories import AdminFactory, PatientFactory, PhysicianFactory, PhysioFactory, ProgramFactory, SetLogFactory

ACTORS = ["anon", "self", "other_patient", "physio", "other_physio", "physician", "other_physician", "admin"]


@pytest.fixture
def world(db, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False)
    physio, physician = PhysioFactory(), PhysicianFactory()
    patient = PatientFactory(physio=physio, physician=physician)
    unenrolled = PatientFactory(physio=physio, physician=physician)
    program = ProgramFactory(patient=patient, start_date=dt.date(2026, 3, 2))
    SetLogFactory(program=program, date=dt.date(2026, 3, 9))
    CheckIn.objects.create(patient=patient, date=dt.date(2026, 3, 9), morning_pain=2, morning_stiffness_minutes=5)
    flag = Flag.objects.create(patient=patient, kind="pain", level="physio", reason="test")
    VisaA.objects.create(patient=patient, date=dt.date(2026, 3, 2), answers=[5] * 6 + [4, 10], score=44)
    other = PatientFactory()
    ProgramFactory(patient=other, start_date=dt.date(2026, 3, 2))
    users = {
        "anon": None,
        "self": patient.user,
        "other_patient": other.user,
        "physio": physio,
        "other_physio": other.physio,
        "physician": physician,
        "other_physician": other.physician,
        "admin": AdminFactory(),
    }
    return {"patient": patient, "unenrolled": unenrolled, "program": program, "users": users, "flag": flag}


IN = {"anon": 401, "self": 200, "other_patient": 404, "physio": 200, "other_physio": 404, "physician": 200}
IN |= {"other_physician": 404, "admin": 200}

DETAIL_READS = [
    "/api/v1/patients/{patient}/",
    "/api/v1/patients/{patient}/adherence/",
    "/api/v1/programs/{program}/",
    "/api/v1/programs/{program}/prescription/",
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path", DETAIL_READS)
def test_detail_reads(api, world, path, actor):
    url = path.format(patient=world["patient"].id, program=world["program"].id)
    assert api(world["users"][actor]).get(url).status_code == IN[actor]


CLINICIAN_READS = [
    "/api/v1/flags/{flag}/",
    "/api/v1/patients/{patient}/timeline/",
    "/api/v1/patients/{patient}/notes/",
    "/api/v1/patients/{patient}/export/?format=csv",
    "/api/v1/patients/{patient}/export/?format=fhir",
]
FOR_CLINICIANS = IN | {"self": 403, "other_patient": 403}  # patients may not use these at all


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path", CLINICIAN_READS)
def test_clinician_reads(api, world, path, actor):
    url = path.format(patient=world["patient"].id, flag=world["flag"].id)
    assert api(world["users"][actor]).get(url).status_code == FOR_CLINICIANS[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_audit_trail_is_for_admins(api, world, actor):
    expected = {"anon": 401, "admin": 200}.get(actor, 403)
    assert api(world["users"][actor]).get(f"/api/v1/audit/?patient={world['patient'].id}").status_code == expected


LIST_READS = ["/api/v1/logs/?patient={patient}", "/api/v1/checkins/?patient={patient}", "/api/v1/visa-a/?patient={p}"]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path", [*LIST_READS, "/api/v1/patients/"])
def test_list_reads_never_leak(api, world, path, actor):
    patient = world["patient"]
    client = api(world["users"][actor])
    response = client.get(path.format(patient=patient.id, p=patient.id))
    if actor == "anon":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    ids = {row.get("patient", row.get("id")) for row in response.json()["results"]}
    if IN[actor] == 200:
        assert patient.id in ids
    else:
        assert patient.id not in ids


def test_flags_are_listed_only_in_scope(api, world):
    rows = api(world["users"]["physio"]).get(f"/api/v1/patients/{world['patient'].id}/").json()
    assert rows["open_flags"] == 1
    other = api(world["users"]["other_physio"]).get("/api/v1/patients/").json()["results"]
    assert all(r["open_flags"] == 0 for r in other)


def _log(world):
    return {"client_id": str(uuid.uuid4()), "date": "2026-03-10", "exercise": "eccentric_heel_drop_bent",
            "reps": 15, "load_kg": 0, "pain": 2, "session": "am"}  # fmt: skip


WRITES = {
    # name: (method, path, body, expected per actor)
    "create_program": (
        "post",
        "/api/v1/programs/",
        lambda w: {"patient": w["unenrolled"].id, "protocol": "hsr", "start_date": "2026-03-10"},
        {"self": 403, "other_patient": 403, "physio": 201, "other_physio": 400, "physician": 403,
         "other_physician": 403, "admin": 201},
    ),
    "patch_program": (
        "patch",
        "/api/v1/programs/{program}/",
        lambda w: {"status": "paused"},
        {"self": 403, "other_patient": 403, "physio": 200, "other_physio": 404, "physician": 403,
         "other_physician": 403, "admin": 200},
    ),
    "log_set": (
        "post",
        "/api/v1/logs/",
        _log,
        {"self": 201, "other_patient": 201, "physio": 403, "other_physio": 403, "physician": 403,
         "other_physician": 403, "admin": 403},
    ),
    "log_batch": (
        "post",
        "/api/v1/logs/batch/",
        lambda w: [_log(w)],
        {"self": 200, "other_patient": 200, "physio": 403, "other_physio": 403, "physician": 403,
         "other_physician": 403, "admin": 403},
    ),
    "check_in": (
        "post",
        "/api/v1/checkins/",
        lambda w: {"morning_pain": 1, "morning_stiffness_minutes": 5},
        {"self": 201, "other_patient": 201, "physio": 403, "other_physio": 403, "physician": 403,
         "other_physician": 403, "admin": 403},
    ),
    "visa_a": (
        "post",
        "/api/v1/visa-a/",
        lambda w: {"patient": w["patient"].id, "answers": [5] * 6 + [4, 10]},
        {"self": 201, "other_patient": 400, "physio": 201, "other_physio": 400, "physician": 403,
         "other_physician": 403, "admin": 201},
    ),
    "create_patient": (
        "post",
        "/api/v1/patients/",
        lambda w: {"username": "newbie", "password": "calf-raise-2026", "timezone": "UTC", "side": "left",
                   "tendinopathy": "midportion", "physician": w["patient"].physician_id,
                   "physio": w["patient"].physio_id},
        {"self": 403, "other_patient": 403, "physio": 201, "other_physio": 201, "physician": 403,
         "other_physician": 403, "admin": 201},
    ),
    "acknowledge_flag": (
        "post",
        "/api/v1/flags/{flag}/acknowledge/",
        lambda w: {"note": "seen"},
        {"self": 403, "other_patient": 403, "physio": 200, "other_physio": 404, "physician": 200,
         "other_physician": 404, "admin": 200},
    ),
    "resolve_flag": (
        "post",
        "/api/v1/flags/{flag}/resolve/",
        lambda w: {"note": "done"},
        {"self": 403, "other_patient": 403, "physio": 200, "other_physio": 404, "physician": 200,
         "other_physician": 404, "admin": 200},
    ),
    "clinical_note": (
        "post",
        "/api/v1/patients/{patient}/notes/",
        lambda w: {"text": "Seen today."},
        {"self": 403, "other_patient": 403, "physio": 201, "other_physio": 404, "physician": 201,
         "other_physician": 404, "admin": 201},
    ),
    "reminders": (
        "patch",
        "/api/v1/me/reminders/",
        lambda w: {"enabled": False},
        {"self": 200, "other_patient": 200, "physio": 403, "other_physio": 403, "physician": 403,
         "other_physician": 403, "admin": 403},
    ),
}  # fmt: skip


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", list(WRITES))
def test_writes(api, world, name, actor):
    method, path, make_body, expected = WRITES[name]
    url = path.format(program=world["program"].id, flag=world["flag"].id, patient=world["patient"].id)
    response = getattr(api(world["users"][actor]), method)(url, make_body(world), format="json")
    assert response.status_code == expected.get(actor, 401), response.content


def test_a_patient_writes_only_their_own_visa_a(api, world):
    other = world["users"]["other_patient"]
    response = api(other).post(
        "/api/v1/visa-a/", {"patient": world["patient"].id, "answers": [5] * 6 + [4, 10]}, format="json"
    )
    # The named patient is not in their scope: refused without revealing it exists.
    assert response.status_code == 400
    assert world["patient"].visa_a.count() == 1  # only the one made in the fixture


@pytest.mark.parametrize("actor", ACTORS)
def test_notifications_and_push_subscriptions_are_per_user(api, world, actor):
    from notifications.deliveries import notify
    from notifications.models import PushSubscription

    owner = world["patient"].user
    note, _ = notify(user=owner, kind="info", title="t", body="b", push_text="p", dedupe_key="scope")
    sub = PushSubscription.objects.create(user=owner, endpoint="https://fcm.googleapis.com/x", p256dh="k", auth="a")
    client = api(world["users"][actor])
    listed = client.get("/api/v1/notifications/")
    read = client.post(f"/api/v1/notifications/{note.id}/read/")
    delete = client.delete(f"/api/v1/push-subscriptions/{sub.id}/")
    if actor == "anon":
        assert (listed.status_code, read.status_code, delete.status_code) == (401, 401, 401)
    elif actor == "self":
        assert [n["id"] for n in listed.json()["results"]] == [note.id]
        assert (read.status_code, delete.status_code) == (200, 204)
    else:
        assert listed.json()["results"] == [] and (read.status_code, delete.status_code) == (404, 404)
