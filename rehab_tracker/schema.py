"""OpenAPI: the error answers every operation can give, a summary and a security rule on each operation, so a
generated client knows them. The document is OpenAPI 3.1 (nullable fields are ``type: [x, "null"]``)."""

ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Why a token was refused (e.g. token_not_valid)"},
        "messages": {
            "type": "array",
            "description": "For a refused token: each token class tried and why it failed",
            "items": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "required": ["detail"],
}
VALIDATION = {
    "type": "object",
    "description": "DRF's {field: [message]} form (non_field_errors for the body as a whole), or {detail: message}",
    "additionalProperties": {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}, {"type": "string"}]
    },
}
FHIR_BUNDLE = {
    "type": "object",
    "description": "An HL7 FHIR R4 Bundle (type collection); each resource is valid against the R4 JSON schema",
    "properties": {
        "resourceType": {"type": "string", "enum": ["Bundle"]},
        "type": {"type": "string", "enum": ["collection"]},
        "timestamp": {"type": "string", "format": "date-time"},
        "entry": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "fullUrl": {"type": "string", "description": "The URL every reference to this resource uses"},
                    "resource": {
                        "type": "object",
                        "properties": {"resourceType": {"type": "string"}, "id": {"type": "string"}},
                        "required": ["resourceType", "id"],
                    },
                },
                "required": ["fullUrl", "resource"],
            },
        },
    },
    "required": ["resourceType", "type", "timestamp", "entry"],
}
PUBLIC = {"/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/auth/logout/", "/api/v1/health/",
          "/api/v1/push/vapid-public-key/", "/api/v1/auth/password-reset/", "/api/v1/auth/password-reset/confirm/",
          "/api/v1/invitations/{token}/accept/", "/api/v1/auth/sso/", "/api/v1/auth/sso/exchange/"}  # fmt: skip
TOKENS = {"/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/auth/logout/", "/api/v1/auth/sso/exchange/"}
# Creates that an offline client may resend with its client_id: 200 replays the stored record, 409 a reused id.
NAMES_A_PATIENT = {"/api/v1/messages/", "/api/v1/time-entries/"}  # a patient id in the body: 404 outside the scope
IDEMPOTENT = {"/api/v1/logs/", "/api/v1/checkins/", "/api/v1/visa-a/", "/api/v1/messages/"}
# A view's mixin docstring is no description of the operation.
MIXIN_DOCSTRINGS = ("DRF views: record successful reads and writes",)

SUMMARIES = {
    "v1_audit_list": "List the audit trail (admins)",
    "v1_auth_logout_create": "Sign out (revoke a refresh token)",
    "v1_auth_mfa_retrieve": "My second factor: set up, recovery codes left, required",
    "v1_auth_mfa_totp_create": "Start setting up an authenticator app (secret and QR code)",
    "v1_auth_mfa_totp_confirm_create": "Confirm the authenticator app with a code (returns the recovery codes)",
    "v1_auth_sso_retrieve": "Single sign-on for staff: offered or not, and where it starts",
    "v1_auth_sso_exchange_create": "Exchange a single sign-on's one-time code for tokens",
    "v1_auth_token_create": "Sign in: username, password and (with a second factor) a code for tokens",
    "v1_auth_token_refresh_create": "Refresh the access token (rotates the refresh token)",
    "v1_auth_password_reset_create": "Ask for a password-reset link by e-mail (same answer for any address)",
    "v1_auth_password_reset_confirm_create": "Set a new password with a reset link",
    "v1_invitations_create": "Invite a patient (or send the invitation again): a one-time link to set a password",
    "v1_invitations_accept_create": "Accept an invitation: choose a password and sign in",
    "v1_checkins_list": "List check-ins",
    "v1_checkins_create": "Record a morning check-in",
    "v1_clinicians_list": "List clinicians for enrolment",
    "v1_demonstrations_list": "List the clinic's exercise demonstrations (videos and images) for the player",
    "v1_clinics_list": "List the clinics the user belongs to (staff roles)",
    "v1_clinics_retrieve": "Get one of the user's clinics",
    "v1_clinics_partial_update": "Change a clinic's name, looks, contact texts and settings (its admins)",
    "v1_clinics_clinicians_list": "List a clinic's staff (its admins)",
    "v1_clinics_clinicians_create": "Add a physio, physician or clinic admin to a clinic (its admins)",
    "v1_clinics_clinicians_partial_update": "Turn a clinician's account off or on (the clinic's admins)",
    "v1_flags_list": "List flags in scope",
    "v1_flags_retrieve": "Get a flag",
    "v1_flags_acknowledge_create": "Acknowledge a flag",
    "v1_flags_resolve_create": "Resolve a flag with a decision note",
    "v1_health_retrieve": "Health of the database, broker and workers",
    "v1_logs_list": "List set logs",
    "v1_logs_create": "Log a set",
    "v1_logs_batch_create": "Log up to 500 sets at once (offline outbox)",
    "v1_logs_partial_update": "Mend a set of today or yesterday (reps, load, pain)",
    "v1_logs_destroy": "Delete a set of today or yesterday",
    "v1_me_retrieve": "Who is signed in",
    "v1_me_onboarding_create": "Mark the patient's introduction as seen (once per account)",
    "v1_me_reminders_retrieve": "Get the patient's reminder settings",
    "v1_me_reminders_partial_update": "Change the patient's reminder settings",
    "v1_messages_list": "A patient's conversation with the care team, newest first",
    "v1_messages_create": "Send a message (a resend with the same client_id answers the stored one)",
    "v1_messages_read_create": "Mark a message read (a read receipt)",
    "v1_messages_inbox_list": "The clinician's message inbox: unread first, per patient",
    "v1_messages_clinic_retrieve": "Opening hours, expected reply time and quick replies",
    "v1_time_entries_create": "Log minutes spent on a patient (RTM time log)",
    "v1_rtm_retrieve": "The clinic's RTM report for a month (JSON or CSV)",
    "v1_patients_rtm_retrieve": "A patient's RTM report for a month (JSON or CSV)",
    "v1_notifications_list": "List my notifications",
    "v1_notifications_read_create": "Mark a notification read",
    "v1_notifications_read_all_create": "Mark all my notifications read",
    "v1_patients_list": "List the caseload (or the patient's own row)",
    "v1_patients_create": "Enrol a patient",
    "v1_patients_retrieve": "Get a patient",
    "v1_patients_partial_update": "Correct a patient's name, date of birth, e-mail, mobile or record number",
    "v1_patients_side_create": "Change the affected side from a date (the days before keep theirs)",
    "v1_patients_adherence_retrieve": "A patient's adherence by day and week",
    "v1_patients_export_retrieve": "Export a patient's record (CSV or FHIR R4 Bundle)",
    "v1_patients_notes_list": "List a patient's clinical notes",
    "v1_patients_notes_create": "Add a clinical note",
    "v1_patients_timeline_retrieve": "A patient's timeline, day by day",
    "v1_programs_create": "Start a program",
    "v1_programs_retrieve": "Get a program",
    "v1_programs_partial_update": "Change a program (pause, resume, stop, loads, variant)",
    "v1_programs_prescription_retrieve": "A program's prescription for a date",
    "v1_programs_review_retrieve": "The end-of-week-12 review: scores, decision, what comes next",
    "v1_programs_review_create": "Decide the review: the next step and a note for the patient",
    "v1_programs_running_gate_retrieve": "The return-to-running checklist",
    "v1_programs_running_gate_update": "Fill in (and sign) the return-to-running checklist",
    "v1_running_logs_list": "List walk–run sessions",
    "v1_running_logs_create": "Log a walk–run session",
    "v1_running_logs_partial_update": "Add the next morning's pain to a walk–run session",
    "v1_patients_summary_retrieve": "The discharge summary (PDF)",
    "v1_push_subscriptions_create": "Register a Web Push subscription",
    "v1_push_subscriptions_destroy": "Remove a Web Push subscription",
    "v1_push_vapid_public_key_retrieve": "The VAPID public key for Web Push",
    "v1_settings_retrieve": "The clinical rules the screens show (pain zones, marks, protocol defaults)",
    "v1_today_retrieve": "The patient's day: state, exercises or red-flag advice",
    "v1_visa_a_list": "List VISA-A questionnaires",
    "v1_visa_a_create": "Record a VISA-A questionnaire",
}

INVALID, FAILED = "#/components/schemas/ValidationError", "#/components/schemas/Error"


def _answer(description: str, schema_ref: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


def document_errors(result, generator, request, public):
    """Add 400 (bad input or query), 401, 403 and 404 to each operation that can answer them; a summary and
    ``security`` on each (an empty list: no credentials needed)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION)
    schemas.setdefault("FhirBundle", FHIR_BUNDLE)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            operation["summary"] = SUMMARIES.get(operation["operationId"], operation.get("summary", ""))
            if operation.get("description", "").startswith(MIXIN_DOCSTRINGS):
                del operation["description"]
            if path in PUBLIC:
                operation["security"] = []
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
            if "{" in path or path in NAMES_A_PATIENT or any(p.get("name") == "page" for p in parameters):
                answers.setdefault("404", _answer("Not found, not in your scope, or a page past the end", FAILED))
            if method in {"post", "put", "patch"}:
                answers.setdefault("415", _answer("The body is not JSON", FAILED))
            if method in {"post", "put", "patch", "delete"}:  # every write is rate-limited (core.throttling)
                answers.setdefault("429", TOO_MANY)
            answers.setdefault("503", UNAVAILABLE)  # the database is away for a moment (core.api)
            if path == "/api/v1/push-subscriptions/" and method == "post" and "201" in answers:
                answers.setdefault("200", answers["201"] | {"description": "This browser's subscription again"})
    return result


UNAVAILABLE = {
    "description": "The database is briefly unavailable: try again after Retry-After seconds; nothing was stored",
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}},
    "content": {"application/json": {"schema": {"$ref": FAILED}}},
}
TOO_MANY = {
    "description": "Too many writes: wait the seconds Retry-After says; nothing was stored",
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}},
    "content": {"application/json": {"schema": {"$ref": FAILED}}},
}
