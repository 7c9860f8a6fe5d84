"""Set logging (docs/api.md §4, §5): idempotent on client_id, validated in the patient's time zone."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection

from exercises.models import SetLog

from .contract import ContractClient as APIClient
from .factories import PatientFactory, ProgramFactory

START = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 10, 22, 30, tzinfo=dt.UTC)  # Copenhagen: 23:30 on the 10th


@pytest.fixture
def program(db, patient, time_machine):
    time_machine.move_to(NOW, tick=False)
    return ProgramFactory(patient=patient, start_date=START)


@pytest.fixture
def client(api, patient):
    return api(patient.user)


def body(**overrides):
    data = {
        "client_id": str(uuid.uuid4()),
        "date": "2026-03-10",
        "exercise": "eccentric_heel_drop_straight",
        "reps": 15,
        "load_kg": 5,
        "pain": 3,
        "session": "pm",
    }
    return data | overrides


def test_create_then_same_again_then_conflict(client, program):
    data = body()
    first = client.post("/api/v1/logs/", data, format="json")
    assert first.status_code == 201
    assert first.json()["program"] == program.id and first.json()["week"] == 2
    again = client.post("/api/v1/logs/", data, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    clash = client.post("/api/v1/logs/", data | {"reps": 12}, format="json")
    assert clash.status_code == 409 and "client_id" in clash.json()
    assert SetLog.objects.count() == 1


def test_a_client_id_of_another_patient_is_a_conflict(api, client, program):
    data = body()
    assert client.post("/api/v1/logs/", data, format="json").status_code == 201
    other = ProgramFactory(start_date=START).patient
    assert api(other.user).post("/api/v1/logs/", data, format="json").status_code == 409


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"pain": 11}, "pain"),
        ({"pain": -1}, "pain"),
        ({"reps": 0}, "reps"),
        ({"load_kg": -0.5}, "load_kg"),
        ({"load_kg": 1e9}, "load_kg"),
        ({"exercise": "squat"}, "exercise"),
        ({"exercise": "seated_calf_raise"}, "exercise"),  # not in the Alfredson protocol
        ({"client_id": "not-a-uuid"}, "client_id"),
        ({"date": "2026-03-11"}, "date"),  # tomorrow in Copenhagen (although already the 11th in Tokyo)
        ({"date": "2026-02-28"}, "date"),  # before the program
        ({"date": "10/03/2026"}, "date"),
        ({"session": "noon"}, "session"),
        ({"reps": "many"}, "reps"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, program, overrides, field):
    response = client.post("/api/v1/logs/", body(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert SetLog.objects.count() == 0


def test_missing_fields_and_non_object_bodies(client, program):
    response = client.post("/api/v1/logs/", {}, format="json")
    assert response.status_code == 400 and {"client_id", "date", "exercise", "reps", "pain"} <= set(response.json())
    assert client.post("/api/v1/logs/", [1, 2], format="json").status_code == 400
    raw = client.post("/api/v1/logs/", "{not json", content_type="application/json")
    assert raw.status_code == 400


def test_a_date_is_judged_in_the_patients_zone(api, db, time_machine):
    time_machine.move_to(NOW, tick=False)  # 22:30 UTC on the 10th = 07:30 on the 11th in Tokyo
    tokyo = ProgramFactory(start_date=START, patient=PatientFactory(timezone="Asia/Tokyo")).patient
    response = api(tokyo.user).post("/api/v1/logs/", body(date="2026-03-11"), format="json")
    assert response.status_code == 201


def test_oversized_body_is_a_400(client, program, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/api/v1/logs/batch/", [body() for _ in range(20)], format="json")
    assert response.status_code == 400
    assert SetLog.objects.count() == 0


class TestBatch:
    def test_one_result_per_item_in_order_and_valid_items_kept(self, client, program):
        existing = body()
        assert client.post("/api/v1/logs/", existing, format="json").status_code == 201
        fresh = body(session="am")
        items = [
            fresh,
            existing,
            existing | {"pain": 9},
            body(pain=42),
            fresh,
            fresh | {"reps": 3},
            "not an object",
        ]
        response = client.post("/api/v1/logs/batch/", items, format="json")
        assert response.status_code == 200
        results = response.json()["results"]
        assert [r["status"] for r in results] == [
            "created",
            "duplicate",
            "conflict",
            "invalid",
            "duplicate",
            "conflict",
            "invalid",
        ]
        assert results[1]["id"] == SetLog.objects.get(client_id=existing["client_id"]).id
        assert results[4]["id"] == results[0]["id"]
        assert "pain" in results[3]["errors"]
        assert SetLog.objects.count() == 2

    def test_more_than_500_is_a_400_and_stores_nothing(self, client, program):
        response = client.post("/api/v1/logs/batch/", [body() for _ in range(501)], format="json")
        assert response.status_code == 400
        assert SetLog.objects.count() == 0

    def test_not_a_list_is_a_400(self, client, program):
        assert client.post("/api/v1/logs/batch/", body(), format="json").status_code == 400

    def test_a_full_batch_in_a_fixed_number_of_queries(self, client, program, django_assert_max_num_queries):
        items = [body() for _ in range(500)]
        with django_assert_max_num_queries(12):
            response = client.post("/api/v1/logs/batch/", items, format="json")
        assert {r["status"] for r in response.json()["results"]} == {"created"}
        assert SetLog.objects.count() == 500


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_with_one_client_id_store_one_row(patient):
    assert connection.vendor == "postgresql"
    ProgramFactory(patient=patient, start_date=dt.date.today() - dt.timedelta(days=3))
    data = body(date=str(dt.date.today() - dt.timedelta(days=1)), session="am")
    barrier = threading.Barrier(2)
    codes = []

    def post():
        client = APIClient()
        client.force_authenticate(patient.user)
        barrier.wait()
        codes.append(client.post("/api/v1/logs/", data, format="json").status_code)
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 201]
    assert SetLog.objects.filter(client_id=data["client_id"]).count() == 1
