"""Clinician tools: caseload by risk, timeline, adjustments, notes, exports."""

import csv
import datetime as dt
import io
import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from notifications.models import Flag
from patients.models import CheckIn, VisaA

from .contract import fhir_schema_errors, unresolved_references
from .factories import PatientFactory, PhysicianFactory, ProgramFactory, SetLogFactory, visa_answers

NOW = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)
START = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def enrolled(physio, physician, *, protocol="alfredson", full_days=0, tz="UTC"):
    patient = PatientFactory(physio=physio, physician=physician, timezone=tz)
    program = ProgramFactory(patient=patient, protocol=protocol, start_date=START)
    for n in range(full_days):
        day = dt.date(2026, 3, 19) - dt.timedelta(days=n)
        for session in ("am", "pm"):
            for exercise in ("eccentric_heel_drop_straight", "eccentric_heel_drop_bent"):
                SetLogFactory.create_batch(3, program=program, date=day, exercise=exercise, session=session, pain=4)
    return patient


class TestCaseload:
    def test_rows_carry_the_clinicians_figures(self, api, physio, physician):
        patient = enrolled(physio, physician, full_days=7)
        program = patient.programs.get()
        SetLogFactory.create_batch(2, program=program, date=dt.date(2026, 3, 10), pain=2)  # last week: lower pain
        CheckIn.objects.create(patient=patient, date=dt.date(2026, 2, 25), morning_pain=1, morning_stiffness_minutes=5)
        VisaA.objects.create(patient=patient, date=dt.date(2026, 3, 3), answers=visa_answers(52))
        [row] = api(physio).get("/api/v1/patients/").json()["results"]
        assert row["adherence_7d"] == 1.0 and row["adherence_28d"] == round(86 / 216, 4)  # 18 days since the start
        assert (row["week"], row["last_log_date"], row["latest_visa_a"]) == (3, "2026-03-19", 52)
        assert row["pain_trend"] == 2.0  # 4 this week, 2 the week before
        # 7 logged days + 10 March + the check-in of 25 February + the VISA-A of 3 March
        assert row["monitored_days_30d"] == 10

    def test_risk_ordering_red_flags_then_physician_flags_then_lowest_adherence(self, api, physio, physician):
        good = enrolled(physio, physician, full_days=7)
        poor = enrolled(physio, physician, full_days=2)
        worst = enrolled(physio, physician, full_days=0)
        escalated = enrolled(physio, physician, full_days=7)
        red = enrolled(physio, physician, full_days=7)
        Flag.objects.create(patient=escalated, kind="non_adherence", level="physician", reason="r")
        Flag.objects.create(patient=red, kind="red_flag", level="physician", reason="r")
        rows = api(physio).get("/api/v1/patients/?ordering=risk").json()["results"]
        assert [r["id"] for r in rows] == [red.id, escalated.id, worst.id, poor.id, good.id]
        assert rows[0]["red_flag_open"] and rows[1]["physician_flag_open"]

    def test_last_log_date_inside_and_outside_the_monitored_window(self, api, physio, physician):
        recent = enrolled(physio, physician, full_days=2)  # answered from the window's sets
        quiet = enrolled(physio, physician)
        older = ProgramFactory(patient=quiet, protocol="alfredson", start_date=dt.date(2025, 10, 6), status="completed")
        SetLogFactory(program=older, date=dt.date(2025, 11, 3))
        SetLogFactory(program=older, date=dt.date(2025, 12, 24))  # the newest, months before the window
        never = enrolled(physio, physician)
        rows = {r["id"]: r["last_log_date"] for r in api(physio).get("/api/v1/patients/").json()["results"]}
        assert rows == {recent.id: "2026-03-19", quiet.id: "2025-12-24", never.id: None}

    def test_filters(self, api, physio, physician):
        hsr = enrolled(physio, physician, protocol="hsr")
        alfredson = enrolled(physio, physician)
        later = PatientFactory(physio=physio, physician=physician)
        ProgramFactory(patient=later, start_date=dt.date(2026, 3, 16))  # week 1
        Flag.objects.create(patient=alfredson, kind="pain", level="physio", reason="r")
        client = api(physio)

        def ids(query):
            return [r["id"] for r in client.get(f"/api/v1/patients/?{query}").json()["results"]]

        assert ids("protocol=hsr") == [hsr.id]
        assert ids("flag_kind=pain") == [alfredson.id]
        assert ids("week=1") == [later.id]
        assert ids("week=3&ordering=risk") == [hsr.id, alfredson.id]
        for bad in ("week=13", "protocol=yoga", "flag_kind=itch", "ordering=name"):
            assert client.get(f"/api/v1/patients/?{bad}").status_code == 400

    def test_query_count_is_constant(self, api, physio, physician, django_assert_max_num_queries):
        for _ in range(3):
            enrolled(physio, physician, full_days=1)
        client = api(physio)
        with django_assert_max_num_queries(20) as few:
            client.get("/api/v1/patients/?ordering=risk")
        for _ in range(30):
            enrolled(physio, physician, full_days=1)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get("/api/v1/patients/?ordering=risk").json()["count"] == 33


class TestTimelineAndAdjustments:
    def test_raise_a_load_and_see_it_in_the_timeline(self, api, physio, physician, django_assert_max_num_queries):
        patient = enrolled(physio, physician, full_days=2)
        program = patient.programs.get()
        client = api(physio)
        body = client.patch(
            f"/api/v1/programs/{program.id}/", {"loads": {"eccentric_heel_drop_bent": 5}}, format="json"
        ).json()
        assert body["changes"][0]["field"] == "load:eccentric_heel_drop_bent" and body["changes"][0]["new_value"] == 5
        client.patch(f"/api/v1/programs/{program.id}/", {"loads": {"eccentric_heel_drop_bent": 7.5}}, format="json")
        CheckIn.objects.create(patient=patient, date=dt.date(2026, 3, 19), morning_pain=3, morning_stiffness_minutes=15)
        client.post(f"/api/v1/patients/{patient.id}/notes/", {"text": "Added a 5 kg backpack."}, format="json")
        with django_assert_max_num_queries(16):
            timeline = client.get(f"/api/v1/patients/{patient.id}/timeline/?from=2026-03-18&to=2026-03-20").json()
        days = {d["date"]: d for d in timeline["days"]}
        assert days["2026-03-19"]["completed_sets"] == 12 and days["2026-03-19"]["pain_max"] == 4
        assert days["2026-03-19"]["morning_pain"] == 3 and days["2026-03-19"]["morning_stiffness_minutes"] == 15
        changes = days["2026-03-20"]["program_changes"]
        assert [(c["old"], c["new"], c["by"]) for c in changes] == [(None, 5, physio.id), (5, 7.5, physio.id)]
        assert days["2026-03-20"]["notes"][0]["text"] == "Added a 5 kg backpack."
        assert days["2026-03-20"]["status"] == "in_progress"

    def test_timeline_query_count_does_not_grow_with_the_range(
        self, api, physio, physician, django_assert_max_num_queries
    ):
        patient = enrolled(physio, physician, full_days=14)
        with django_assert_max_num_queries(16):
            response = api(physio).get(f"/api/v1/patients/{patient.id}/timeline/?from=2026-01-01&to=2026-03-20")
        assert len(response.json()["days"]) == 79

    def test_switch_variant_only_between_alfredson_variants(self, api, physio, physician):
        alfredson = enrolled(physio, physician).programs.get()
        hsr = enrolled(physio, physician, protocol="hsr").programs.get()
        client = api(physio)
        change = {"protocol": "alfredson_insertional"}
        refused = client.patch(f"/api/v1/programs/{alfredson.id}/", change, format="json")
        assert refused.status_code == 400 and refused.json()["override_reason"] == [  # a mid-portion patient
            "Alfredson, insertional (flat floor) is for insertional tendinopathy and this patient's is mid-portion: "
            "use Alfredson (mid-portion), or give the clinical reason for Alfredson, insertional (flat floor)."
        ]
        change["override_reason"] = "Ultrasound shows insertional changes too."
        body = client.patch(f"/api/v1/programs/{alfredson.id}/", change, format="json")
        assert body.status_code == 200 and body.json()["protocol"] == "alfredson_insertional"
        assert body.json()["override_reason"] == change["override_reason"]
        assert client.patch(f"/api/v1/programs/{hsr.id}/", {"protocol": "alfredson"}, format="json").status_code == 400
        assert client.patch(f"/api/v1/programs/{alfredson.id}/", {"protocol": "hsr"}, format="json").status_code == 400


class TestNotes:
    def test_physio_and_physician_write_and_read(self, api, physio, physician):
        patient = enrolled(physio, physician)
        assert (
            api(physio).post(f"/api/v1/patients/{patient.id}/notes/", {"text": "Seen."}, format="json").status_code
            == 201
        )
        notes = api(physician).get(f"/api/v1/patients/{patient.id}/notes/").json()["results"]
        assert [(n["text"], n["author"]) for n in notes] == [("Seen.", physio.id)]
        assert api(physio).post(f"/api/v1/patients/{patient.id}/notes/", {"text": ""}, format="json").status_code == 400

    def test_out_of_scope_and_patients(self, api, physio, physician):
        patient = enrolled(physio, physician)
        stranger = PhysicianFactory()
        assert api(stranger).get(f"/api/v1/patients/{patient.id}/notes/").status_code == 404
        assert api(patient.user).get(f"/api/v1/patients/{patient.id}/notes/").status_code == 403


class TestExports:
    def test_csv(self, api, physio, physician):
        patient = enrolled(physio, physician, full_days=1)
        CheckIn.objects.create(patient=patient, date=dt.date(2026, 3, 19), morning_pain=2, morning_stiffness_minutes=5)
        VisaA.objects.create(
            patient=patient, date=dt.date(2026, 3, 3), answers=[5] * 6 + [4, 10], item8_branch="B", score=44
        )
        response = api(physio).get(f"/api/v1/patients/{patient.id}/export/?format=csv")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert [r["record"] for r in rows].count("set_log") == 12
        assert {r["record"] for r in rows} == {"set_log", "check_in", "visa_a"}
        visa = next(r for r in rows if r["record"] == "visa_a")
        assert (visa["visa_a_score"], visa["visa_a_item8_branch"]) == ("44", "B")
        assert {r["side"] for r in rows if r["record"] == "set_log"} == {patient.side}

    def test_fhir_bundle_parses_back(self, api, physio, physician):
        patient = enrolled(physio, physician, full_days=2)
        CheckIn.objects.create(patient=patient, date=dt.date(2026, 3, 19), morning_pain=2, morning_stiffness_minutes=5)
        VisaA.objects.create(
            patient=patient, date=dt.date(2026, 3, 3), answers=[5] * 6 + [4, 10], item8_branch="C", score=44
        )
        Flag.objects.create(patient=patient, kind="pain", level="physio", reason="pain above 5")
        response = api(physio).get(f"/api/v1/patients/{patient.id}/export/?format=fhir")
        assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
        raw = b"".join(response.streaming_content).decode()
        bundle = Bundle.model_validate_json(raw)
        kinds = [entry.resource.__resource_type__ for entry in bundle.entry]
        assert bundle.type == "collection"
        assert kinds.count("Patient") == 1 and kinds.count("CarePlan") == 1 and kinds.count("Flag") == 1
        assert kinds.count("Condition") == 1
        assert kinds.count("QuestionnaireResponse") == 1 and kinds.count("Observation") == 3  # 2 days + 1 morning
        day = next(
            e.resource for e in bundle.entry if e.resource.__resource_type__ == "Observation" and e.resource.component
        )
        assert {c.code.text for c in day.component} >= {"Sets", "Repetitions"}
        resources = {e["resource"]["resourceType"]: e["resource"] for e in json.loads(raw)["entry"]}
        assert resources["CarePlan"]["activity"][0]["detail"]["description"].startswith("3 x 15")
        assert resources["Flag"]["code"]["coding"][0]["display"] == "Pain above the limit"
        assert resources["Flag"]["code"]["text"] == "pain above 5"
        assert resources["Condition"]["code"]["coding"][0]["code"] == "11654001"
        visa_items = {i["linkId"]: i["answer"][0] for i in resources["QuestionnaireResponse"]["item"]}
        assert visa_items["8-branch"] == {"valueString": "C"}

    def test_every_reference_resolves_inside_the_bundle_and_full_urls_are_stable(self, api, physio, physician):
        patient = enrolled(physio, physician, full_days=1)
        CheckIn.objects.create(patient=patient, date=dt.date(2026, 3, 19), morning_pain=2, morning_stiffness_minutes=5)
        Flag.objects.create(patient=patient, kind="pain", level="physio", reason="pain above 5")
        first, again = (
            json.loads(
                b"".join(api(physio).get(f"/api/v1/patients/{patient.id}/export/?format=fhir").streaming_content)
            )
            for _ in range(2)
        )
        references = [
            r["reference"] for e in first["entry"] for r in (e["resource"].get("subject"), *e["resource"].get("basedOn",
            []), *e["resource"].get("addresses", [])) if r
        ]  # fmt: skip
        urls = {e["fullUrl"] for e in first["entry"]}
        assert len(references) >= 6 and set(references) <= urls
        assert unresolved_references(first) == []
        assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in again["entry"]]
        assert fhir_schema_errors(first) == []
        first["entry"][0]["resource"]["gender"] = "sometimes"  # the independent validator does find errors
        assert fhir_schema_errors(first) != []

    def test_bad_format_and_scope(self, api, physio, physician):
        patient = enrolled(physio, physician)
        unknown = api(physio).get(f"/api/v1/patients/{patient.id}/export/?format=pdf")
        assert unknown.status_code == 400 and "format" in unknown.json()
        assert api(physio).get(f"/api/v1/patients/{patient.id}/export/").status_code == 400
        assert api(PhysicianFactory()).get(f"/api/v1/patients/{patient.id}/export/?format=csv").status_code == 404


def test_caseload_search_finds_by_name_within_scope_only(api, physio, physician):
    from .factories import PatientFactory, PhysioFactory

    mine = PatientFactory(physio=physio, physician=physician, user__username="anna-holm")
    PatientFactory(physio=physio, physician=physician, user__username="bo-berg")
    PatientFactory(physio=PhysioFactory(), physician=physician, user__username="anna-other")
    rows = api(physio).get("/api/v1/patients/", {"search": "ANNA"}).json()["results"]
    assert [r["id"] for r in rows] == [mine.id]
    assert api(physio).get("/api/v1/patients/", {"search": "x" * 101}).status_code == 400


def test_clinicians_list_names_physicians_for_enrolment(api, physio, physician, patient):
    answer = api(physio).get("/api/v1/clinicians/", {"role": "physician"})
    assert answer.status_code == 200 and {"id": physician.id, "username": physician.username} in answer.json()
    assert all(set(row) == {"id", "username"} for row in answer.json())
    assert api(physio).get("/api/v1/clinicians/", {"role": "admin"}).status_code == 400
    assert api(patient.user).get("/api/v1/clinicians/").status_code == 403


def test_an_empty_caseload_filter_is_400_not_ignored(api, physio):
    for name in ("protocol", "flag_kind", "week", "search", "ordering"):
        answer = api(physio).get("/api/v1/patients/", {name: ""})
        assert answer.status_code == 400 and name in answer.json(), name
