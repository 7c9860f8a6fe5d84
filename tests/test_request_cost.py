"""What the two commonest patient requests cost in SQL statements: few enough to stay near a bare DRF view's floor.

No test transaction around them (``transaction=True``), so the statements counted are the ones production runs,
with a real JWT as the app sends it.
"""

import datetime as dt
import uuid

import pytest
import time_machine
from rest_framework_simplejwt.tokens import AccessToken

from exercises.models import ProgramPause, SetLog
from notifications.models import Flag

from .contract import ContractClient as APIClient
from .factories import ProgramFactory

pytestmark = pytest.mark.django_db(transaction=True)
WEEK_3 = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)  # a program from 2 March: no VISA-A is asked this week


def jwt_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def a_set(**extra) -> dict:
    return {"client_id": str(uuid.uuid4()), "date": "2026-03-20", "exercise": "eccentric_heel_drop_straight",
            "reps": 15, "load_kg": 5, "pain": 3, "session": "am"} | extra  # fmt: skip


@time_machine.travel(WEEK_3, tick=False)
def test_a_new_set_is_three_statements_and_a_retry_answers_with_the_stored_one(django_assert_num_queries):
    program = ProgramFactory()
    client, body = jwt_client(program.patient.user), a_set()
    with django_assert_num_queries(3) as new:  # who (user and patient), the programs, the INSERT
        created = client.post("/api/v1/logs/", body, format="json")
    assert created.status_code == 201 and new.captured_queries[-1]["sql"].startswith("INSERT")
    retried = client.post("/api/v1/logs/", body, format="json")
    assert (retried.status_code, retried.json()["id"]) == (200, created.json()["id"])
    changed = client.post("/api/v1/logs/", body | {"pain": 7}, format="json")
    assert changed.status_code == 409
    assert list(SetLog.objects.values_list("client_id", "pain")) == [(uuid.UUID(body["client_id"]), 3)]


@time_machine.travel(WEEK_3, tick=False)
def test_today_is_four_statements(django_assert_num_queries):
    alfredson, hsr = ProgramFactory(), ProgramFactory(protocol="hsr")
    with django_assert_num_queries(4):  # who, the program (pauses, red flag, last load change), sets, sessions
        day = jwt_client(alfredson.patient.user).get("/api/v1/today/").json()
    assert (day["state"], day["visa_a_due"], len(day["items"])) == ("training", None, 4)
    with django_assert_num_queries(4):  # HSR: no pain-led progression, but loads suggested from the last stage's
        assert jwt_client(hsr.patient.user).get("/api/v1/today/").json()["state"] in ("training", "rest")


@time_machine.travel(WEEK_3, tick=False)
def test_today_still_reads_pauses_red_flags_and_visa_a_when_there_are_some(django_assert_num_queries):
    paused = ProgramFactory()
    ProgramPause.objects.create(program=paused, start_date=dt.date(2026, 3, 19))
    with django_assert_num_queries(4):  # the pauses, and the sets; no progression while paused
        assert jwt_client(paused.patient.user).get("/api/v1/today/").json()["state"] == "paused"

    flagged = ProgramFactory()
    Flag.objects.create(patient=flagged.patient, kind="red_flag", level="physician", reason="sudden pop")
    assert jwt_client(flagged.patient.user).get("/api/v1/today/").json()["state"] == "red_flag"

    starting = ProgramFactory(start_date=dt.date(2026, 3, 19))  # baseline VISA-A asked from the start
    with django_assert_num_queries(5):  # and the patient's VISA-A dates
        assert jwt_client(starting.patient.user).get("/api/v1/today/").json()["visa_a_due"] == "baseline"
