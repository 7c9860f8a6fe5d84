"""Every answer the API tests get is checked against the OpenAPI document the server publishes.

``ContractClient`` is DRF's ``APIClient`` that, after each request to a documented path, asserts that the
status code is documented for that operation and that a JSON body is valid against the documented schema
(JSON Schema 2020-12: the document is OpenAPI 3.1). Error answers of the tests that send bad input are
checked too, against the error schemas. Validators are built once per operation and answer.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from rest_framework.test import APIClient

ROOT = "urn:rehab-tracker:openapi"
WEB = Path(__file__).resolve().parent.parent / "web"
FHIR_VALIDATOR = WEB / "scripts" / "validate-fhir.cjs"


@cache
def document() -> dict:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


@cache
def _routes() -> list[tuple[re.Pattern, str]]:
    routes = []
    for path in document()["paths"]:
        pattern = re.escape(path).replace(r"\{", "{").replace(r"\}", "}")
        routes.append((re.compile("^" + re.sub(r"{[^}]+}", "[^/]+", pattern) + "$"), path))
    return routes


@cache
def _registry() -> Registry:
    return Registry().with_resource(ROOT, DRAFT202012.create_resource(document()))


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


@cache
def _validator(path: str, method: str, status: str, media_type: str) -> Draft202012Validator:
    ref = f"{ROOT}#/" + _pointer("paths", path, method, "responses", status, "content", media_type, "schema")
    return Draft202012Validator({"$ref": ref}, registry=_registry(), format_checker=FormatChecker())


def operation_for(method: str, path: str) -> tuple[str, dict] | None:
    for pattern, template in _routes():
        if pattern.match(path):
            operation = document()["paths"][template].get(method.lower())
            return (template, operation) if operation is not None else None
    return None


def check(method: str, path: str, status_code: int, content_type: str, body: bytes) -> None:
    """Assert that this answer is one the schema documents; raises AssertionError naming what differs."""
    found = operation_for(method, path)
    if found is None:
        return  # not an API operation (the app shell, the admin, a path the API does not have)
    template, operation = found
    responses = operation["responses"]
    status = str(status_code) if str(status_code) in responses else "default"
    assert status in responses, f"{method} {template}: {status_code} is not documented (only {sorted(responses)})"
    content = responses[status].get("content")
    if not content:
        assert not body, f"{method} {template} {status_code}: documented without a body, answered {body[:200]!r}"
        return
    media_type = content_type.split(";")[0].strip()
    assert media_type in content, f"{method} {template} {status_code}: {media_type} not documented ({list(content)})"
    if not (media_type == "application/json" or media_type.endswith("+json")):
        return
    instance = json.loads(body)
    if media_type == "application/fhir+json" and status_code == 200:
        check_fhir_bundle(instance)
    errors = sorted(_validator(template, method.lower(), status, media_type).iter_errors(instance), key=str)
    assert not errors, f"{method} {template} {status_code} does not match the schema:\n" + "\n".join(
        f"  at {'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in errors[:10]
    )


@cache
def _fhir_validator() -> subprocess.Popen | None:
    """One node process for the session: HL7's R4 JSON schema, compiled once, checks each Bundle sent to it."""
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules" / "@asymmetrik" / "fhir-json-schema-validator").is_dir():
        assert not os.environ.get("RT_REQUIRE_SERVICES"), "node and web/node_modules are needed to check FHIR"
        return None
    process = subprocess.Popen([node, str(FHIR_VALIDATOR)], cwd=WEB, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)  # fmt: skip
    atexit.register(process.kill)
    return process


def fhir_schema_errors(resource: dict) -> list[str]:
    """What HL7's official R4 JSON schema finds wrong with ``resource`` (empty: valid); [] without node."""
    process = _fhir_validator()
    if process is None:
        return []
    process.stdin.write(json.dumps(resource) + "\n")
    process.stdin.flush()
    return json.loads(process.stdout.readline())


def unresolved_references(bundle: dict) -> list[str]:
    """References in the Bundle that match no entry's fullUrl (FHIR's rule for resolving inside a Bundle)."""
    urls = {entry["fullUrl"] for entry in bundle.get("entry", [])}
    found, stack = [], [entry["resource"] for entry in bundle.get("entry", [])]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("reference"), str) and value["reference"] not in urls:
                found.append(value["reference"])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def check_fhir_bundle(bundle: dict) -> None:
    errors = fhir_schema_errors(bundle)
    assert not errors, f"the FHIR Bundle fails the R4 JSON schema: {errors[:5]}"
    unresolved = unresolved_references(bundle)
    assert not unresolved, f"references that resolve to no entry of the Bundle: {unresolved[:5]}"


class ContractClient(APIClient):
    """APIClient whose every answer from the API is checked against the OpenAPI document."""

    def request(self, **kwargs):
        response = super().request(**kwargs)
        if response.streaming:
            body = b"".join(response.streaming_content)
            response.streaming_content = [body]
        else:
            body = response.content
        check(kwargs["REQUEST_METHOD"], kwargs["PATH_INFO"], response.status_code, response.get("Content-Type", ""),
              body)  # fmt: skip
        return response
