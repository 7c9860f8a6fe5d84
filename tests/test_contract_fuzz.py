"""Contract fuzzing: schemathesis over the OpenAPI schema against a live server.

Every operation, with generated valid and invalid input, under every schemathesis check: no 5xx,
documented status codes, content types and headers, responses that match their
schema, invalid input rejected, no answer to a method the schema does not list. Each generated
case is sent as each of the four roles (patient, physio, physician, admin); the coverage phase's
cases (every parameter's boundaries, missing and wrong-typed values, methods not listed: four in
five of all cases, the same every run) are sent as one role each, the four in turn per operation,
so each role meets an operation's edge cases (all four where it has four or more) and the suite
spends its time on generated input.
``RT_FUZZ_EXAMPLES`` (default 10 per operation and role) makes a longer hunt.
"""

import datetime as dt
import itertools
import json
import os
from collections import defaultdict

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis import checks

from .factories import AdminFactory, PatientFactory, ProgramFactory, SetLogFactory

pytestmark = pytest.mark.services


def _openapi_document() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(_openapi_document())
# Every check but positive_data_acceptance: a request the schema allows may still break a clinical rule the
# schema cannot say (a set dated outside the program, a second active program): a 400 is the right answer.
ALL_CHECKS = [
    checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
    checks.response_headers_conformance, checks.response_schema_conformance, checks.negative_data_rejection,
    checks.missing_required_header, checks.unsupported_method, checks.allow_header_conformance,
    checks.use_after_free, checks.ensure_resource_availability, checks.ignored_auth,
]  # fmt: skip


@pytest.fixture
def bearer_headers(transactional_db):
    patient = PatientFactory()
    program = ProgramFactory(patient=patient, start_date=dt.date.today() - dt.timedelta(days=10))
    SetLogFactory.create_batch(3, program=program, date=dt.date.today() - dt.timedelta(days=1))
    users = (patient.user, patient.physio, patient.physician, AdminFactory())
    return [{"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"} for user in users]


# whose turn it is to send an operation's next coverage-phase case: counted per operation, so that an
# operation's cases go to the same roles however many ran before (and when it runs alone, with -k)
_turns: defaultdict[str, itertools.count] = defaultdict(itertools.count)


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("RT_FUZZ_EXAMPLES", 10)), deadline=None, suppress_health_check=list(HealthCheck)
)
def test_no_server_errors_and_responses_match_the_schema(case, live_server, bearer_headers):
    chosen = ALL_CHECKS
    if case.operation.path == "/api/v1/logs/batch/":  # docs/api.md §6: bad items answer 200 with per-item "invalid"
        chosen = [c for c in ALL_CHECKS if c is not checks.negative_data_rejection]
    if case.meta is not None and case.meta.phase.name == "coverage":
        bearer_headers = [bearer_headers[next(_turns[case.operation.label]) % len(bearer_headers)]]
    for headers in bearer_headers:
        case.call_and_validate(base_url=live_server.url, headers=headers, checks=chosen)
