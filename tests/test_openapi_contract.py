"""The OpenAPI document as outside software uses it: it validates (openapi-spec-validator, redocly lint), a
client generated from it (openapi-python-client) runs the three roles' day against a live server, and
Swagger UI renders it under the Content-Security-Policy. (Every answer of the API tests is checked against
the document by ``tests/contract.py``.)"""

import datetime as dt
import importlib
import json
import os
import re
import subprocess
import sys
import uuid

import pytest
from openapi_spec_validator import validate

from notifications.models import Flag
from patients.models import Patient

from .contract import WEB, document
from .factories import PASSWORD, PatientFactory, ProgramFactory

REDOCLY = WEB / "node_modules" / ".bin" / "redocly"
QUIET_NODE = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("openapi") / "schema.json"
    path.write_text(json.dumps(document()))
    return path


def _walk(value, path=""):
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _walk(item, f"{path}/{n}")


def test_the_served_schema_validates(api, db):
    served = api(None).get("/api/schema/?format=json")
    assert served.status_code == 200
    validate(served.json())  # raises on any error
    assert served.json()["openapi"].startswith("3.1")


@pytest.mark.skipif(not REDOCLY.exists(), reason="web/node_modules not installed (./run.sh test installs it)")
def test_redocly_lint_reports_no_errors(schema_file):
    lint = subprocess.run(
        [str(REDOCLY), "lint", "--config", "redocly.yaml", "--format", "json", str(schema_file)],
        cwd=WEB, capture_output=True, text=True, env=os.environ | QUIET_NODE, timeout=120,
    )  # fmt: skip
    report = json.loads(lint.stdout)
    errors = [f"{p['ruleId']}: {p['message']}" for p in report["problems"] if p["severity"] == "error"]
    assert errors == [] and lint.returncode == 0, errors[:20]


def test_every_operation_has_a_summary_and_security():
    operations = [(m, p, o) for p, ops in document()["paths"].items() for m, o in ops.items()]
    assert len(operations) > 30
    assert [(m, p) for m, p, o in operations if not o.get("summary")] == []
    assert [(m, p) for m, p, o in operations if "security" not in o] == []
    token = document()["paths"]["/api/v1/auth/token/"]["post"]
    assert token["security"] == [] and list(token["requestBody"]["content"]) == ["application/json"]


def test_the_defects_outside_clients_met_are_gone():
    schemas = document()["components"]["schemas"]
    assert [path for path, node in _walk(document()) if "nullable" in node] == []
    outcome = schemas["FlagActionRequest"]["properties"]["outcome"]
    assert "default" not in outcome
    assert "null" in json.dumps(schemas["Flag"]["properties"]["outcome"])
    item, log = schemas["PrescriptionItem"]["properties"], schemas["SetLogRequest"]["properties"]
    assert item["exercise"] == log["exercise"] == {"$ref": "#/components/schemas/ExerciseEnum"}
    assert "SessionEnum" in json.dumps(item["session"]) and "SessionEnum" in json.dumps(log["session"])
    assert "default" not in log["load_kg"]
    assert {"detail", "code", "messages"} <= set(schemas["Error"]["properties"])
    logout = document()["paths"]["/api/v1/auth/logout/"]["post"]["responses"]["200"]
    assert logout["content"]["application/json"]["schema"]["type"] == "object"
    timeline = document()["paths"]["/api/v1/patients/{id}/timeline/"]["get"]["responses"]["200"]
    assert timeline["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Timeline"}
    export = document()["paths"]["/api/v1/patients/{id}/export/"]["get"]["responses"]["200"]["content"]
    assert export["application/fhir+json"]["schema"] == {"$ref": "#/components/schemas/FhirBundle"}
    hashed = [n for n in schemas if re.search(r"[0-9a-f]{3}Enum$", n) and any(c.isdigit() for c in n[-7:-4])]
    assert hashed == [] and {"AffectedSideEnum", "SetLogSideEnum"} <= set(schemas)  # drf-spectacular's W001


def test_an_unresolved_flag_has_a_null_outcome_and_a_401_matches_error(api, patient):
    flag = Flag.objects.create(patient=patient, kind="pain", level="physio", reason="pain above 5")
    body = api(patient.physio).get(f"/api/v1/flags/{flag.id}/").json()
    assert body["outcome"] is None
    refused = api(None).get("/api/v1/today/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert refused.status_code == 401 and {"detail", "code", "messages"} <= set(refused.json())


def test_sign_in_takes_json_only(api, patient):
    credentials = {"username": patient.user.username, "password": PASSWORD}
    form = api(None).post("/api/v1/auth/token/", credentials, format="multipart")
    assert form.status_code == 415
    assert api(None).post("/api/v1/auth/token/", credentials, format="json").status_code == 200


@pytest.fixture
def generated_client(schema_file, tmp_path):
    """The Python client openapi-python-client generates from the schema, imported as ``rt_client``."""
    config = tmp_path / "config.yaml"
    config.write_text("post_hooks: []\nproject_name_override: rt_client\npackage_name_override: rt_client\n")
    generate = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema_file), "--meta", "none",
         "--output-path", str(tmp_path / "rt_client"), "--config", str(config)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert generate.returncode == 0, generate.stdout + generate.stderr
    assert "Warning" not in generate.stdout, generate.stdout  # an operation it could not generate is a warning
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("rt_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "rt_client" or n.startswith("rt_client.")]:
            del sys.modules[name]


@pytest.mark.services
def test_a_generated_client_runs_patient_physio_and_physician(generated_client, live_server, transactional_db):
    rt = generated_client
    from rt_client import models
    from rt_client.api.v1 import (
        v1_auth_token_create,
        v1_checkins_create,
        v1_flags_acknowledge_create,
        v1_flags_list,
        v1_flags_resolve_create,
        v1_logs_batch_create,
        v1_logs_create,
        v1_patients_list,
        v1_programs_partial_update,
        v1_today_retrieve,
        v1_visa_a_create,
    )  # fmt: skip

    patient = PatientFactory()
    program = ProgramFactory(patient=patient, start_date=dt.date.today() - dt.timedelta(days=3))
    anonymous = rt.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    def signed_in(user):
        body = models.LoginRequest(username=user.username, password=PASSWORD)
        tokens = v1_auth_token_create.sync(client=anonymous, body=body)
        return rt.AuthenticatedClient(base_url=live_server.url, token=tokens.access, raise_on_unexpected_status=True)

    me = signed_in(patient.user)
    today = v1_today_retrieve.sync(client=me)
    assert today.state == models.StateEnum.TRAINING and today.items
    item = today.items[0]

    def log(n):
        return models.SetLogRequest(client_id=uuid.uuid4(), date=today.date, exercise=item.exercise,
                                    reps=item.reps, pain=n, session=item.session)  # fmt: skip

    one = v1_logs_create.sync_detailed(client=me, body=log(2))
    assert one.status_code == 201 and one.parsed.load_kg == 0
    batch = v1_logs_batch_create.sync(client=me, body=[log(1), log(3)])
    assert [r.status for r in batch.results] == [models.BatchResultStatusEnum.CREATED] * 2
    assert v1_today_retrieve.sync(client=me).items[0].logged_sets == 3
    visa = v1_visa_a_create.sync_detailed(
        client=me, body=models.VisaARequest(answers=[5, 5, 5, 5, 5, 5, 4, 10], item8_branch=models.Item8BranchEnum.B)
    )
    assert visa.status_code == 201
    checkin = models.CheckInRequest(morning_pain=3, morning_stiffness_minutes=10,
                                    red_flags=[models.RedFlagsEnum.SUDDEN_POP])  # fmt: skip
    assert v1_checkins_create.sync_detailed(client=me, body=checkin).status_code == 201
    assert v1_today_retrieve.sync(client=me).state == models.StateEnum.RED_FLAG

    physio = signed_in(patient.physio)
    caseload = v1_patients_list.sync(client=physio, ordering=models.V1PatientsListOrdering.RISK)
    assert [row.id for row in caseload.results] == [patient.id] and caseload.results[0].red_flag_open
    [flag] = v1_flags_list.sync(client=physio, kind=models.V1FlagsListKind.RED_FLAG).results
    assert flag.outcome is None and flag.status == models.FlagStatusEnum.OPEN

    physician = signed_in(patient.physician)
    acknowledged = v1_flags_acknowledge_create.sync(client=physician, id=flag.id, body=models.FlagActionRequest())
    assert acknowledged.status == models.FlagStatusEnum.ACKNOWLEDGED and acknowledged.outcome is None
    decision = models.FlagActionRequest(note="Ultrasound: no rupture.", outcome=models.OutcomeEnum.RESUME)
    resolved = v1_flags_resolve_create.sync(client=physician, id=flag.id, body=decision)
    assert (resolved.status, resolved.outcome) == (models.FlagStatusEnum.RESOLVED, models.OutcomeEnum.RESUME)

    for status in (models.ProgramUpdateStatusEnum.PAUSED, models.ProgramUpdateStatusEnum.ACTIVE):
        body = models.PatchedProgramUpdateRequest(status=status)
        changed = v1_programs_partial_update.sync(client=physio, id=program.id, body=body)
        assert changed.status.value == status.value
    assert Patient.objects.get(pk=patient.pk).programs.get().status == "active"


def test_swagger_ui_renders_under_the_csp(live_server, chromium, transactional_db):
    context = chromium.new_context(bypass_csp=False)
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        answer = page.goto(live_server.url + "/api/docs/")
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)  # Swagger UI drew the operations
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/api/v1/today/" in p for p in paths) and refused == []
    finally:
        context.close()
