"""OpenAPI: the error answers every operation can give, so a generated client knows them (SPEC §5)."""

ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
VALIDATION = {
    "type": "object",
    "description": "DRF's {field: [message]} form (non_field_errors for the body as a whole), or {detail: message}",
    "additionalProperties": {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}, {"type": "string"}]
    },
}
PUBLIC = {"/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/auth/logout/", "/api/v1/health/",
          "/api/v1/push/vapid-public-key/"}  # fmt: skip
TOKENS = {"/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/auth/logout/"}
# Creates that an offline client may resend with its client_id: 200 replays the stored record, 409 a reused id.
IDEMPOTENT = {"/api/v1/logs/", "/api/v1/checkins/", "/api/v1/visa-a/"}


INVALID, FAILED = "#/components/schemas/ValidationError", "#/components/schemas/Error"


def _answer(description: str, schema_ref: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


def document_errors(result, generator, request, public):
    """Add 400 (bad input or query), 401, 403 and 404 to each operation that can answer them."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            answers = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            if method in {"post", "put", "patch"} or parameters:
                answers.setdefault("400", _answer("Invalid input: nothing was stored", INVALID))
            if path in TOKENS:
                answers.setdefault("401", _answer("Wrong credentials, or a token expired, used or revoked", FAILED))
            if path not in PUBLIC:
                answers.setdefault("401", _answer("Not signed in, or the token expired or was revoked", FAILED))
                answers.setdefault("403", _answer("Your role may not do this", FAILED))
            if method == "post" and path in IDEMPOTENT:
                if "201" in answers:
                    answers.setdefault("200", answers["201"] | {"description": "The same client_id and body again"})
                answers.setdefault("409", _answer("This client_id was used for a different entry", INVALID))
            if "{" in path or any(p.get("name") == "page" for p in parameters):
                answers.setdefault("404", _answer("Not found, not in your scope, or a page past the end", FAILED))
    return result
