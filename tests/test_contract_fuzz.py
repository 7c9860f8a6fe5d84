"""Contract fuzzing: schemathesis over the OpenAPI schema against a live server.

Every operation, with generated valid and invalid input, as a patient and as a
physio: no 5xx, and every documented response matches its schema.
``RT_FUZZ_EXAMPLES`` (default 25 per operation) makes a longer hunt.
"""

import datetime as dt
import json
import os

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error, response_schema_conformance

from .factories import PatientFactory, ProgramFactory, SetLogFactory

pytestmark = pytest.mark.services


def _openapi_document() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(_openapi_document())


@pytest.fixture
def bearer_headers(transactional_db):
    patient = PatientFactory()
    program = ProgramFactory(patient=patient, start_date=dt.date.today() - dt.timedelta(days=10))
    SetLogFactory.create_batch(3, program=program, date=dt.date.today() - dt.timedelta(days=1))
    users = (patient.user, patient.physio)
    return [{"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"} for user in users]


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("RT_FUZZ_EXAMPLES", 25)), deadline=None, suppress_health_check=list(HealthCheck)
)
def test_no_server_errors_and_responses_match_the_schema(case, live_server, bearer_headers):
    for headers in bearer_headers:
        case.call_and_validate(
            base_url=live_server.url, headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )
