"""API plumbing: the exception handler and parsers that refuse what the database or Python cannot take."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32  # the deepest body any endpoint takes is 3 levels (a batch of logs); 1,000 levels overflow Python


def check_strings(data, *, max_depth: int = MAX_DEPTH) -> None:
    """Refuse (400) nesting deeper than ``max_depth`` and strings PostgreSQL cannot store: NUL characters and
    lone surrogates (``"\\ud800"`` in JSON). Iterative, so a deep body cannot overflow the stack here."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > max_depth:
            raise exceptions.ParseError(f"JSON nested deeper than {max_depth} levels.")
        if isinstance(value, dict):
            stack.extend((k, depth + 1) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list | tuple):
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, str):
            bad_text(value)


def bad_text(value: str) -> None:
    if "\x00" in value:
        raise exceptions.ParseError("Text may not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise exceptions.ParseError("Text must be valid Unicode (no lone surrogates).") from exc


class LimitedJSONParser(JSONParser):
    """JSON, but a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE, nested too deep, or holding text the
    database cannot store is a 400, not a memory spike or a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and length.isdigit() and int(length) > limit:
            raise exceptions.ParseError(f"Request body larger than {limit} bytes.")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from exc
        check_strings(data)
        return data


class UUIDStringField(serializers.UUIDField):
    """A UUID written as a string only: DRF would read ``true`` or ``1`` as ``…-000000000001``, one id that
    every client sending it would then share (and collide on)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class StringField(serializers.CharField):
    """Text written as a JSON string only: DRF would store ``0`` or ``true`` as the text "0" or "True"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


DATABASE_RETRY_SECONDS = 5


def exception_handler(exc, context):
    # Imported here: DRF's settings import this module, and rest_framework.views reads those settings.
    from rest_framework.response import Response
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, OperationalError | InterfaceError):  # the database restarting or unreachable
        return Response(
            {"detail": "The database is unavailable for a moment: retry shortly (nothing was stored)."},
            status=503,
            headers={"Retry-After": str(DATABASE_RETRY_SECONDS)},
        )
    return drf_exception_handler(exc, context)


class Pagination(PageNumberPagination):
    """Pages of ``API_PAGE_SIZE`` (100); ``?page_size=`` up to 500 (a whole caseload in one call)."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        """A ``page_size`` outside 1–500 is a 400 (the schema says so), not silently capped."""
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= self.max_page_size):
            raise exceptions.ValidationError({"page_size": [f"A whole number from 1 to {self.max_page_size}."]})
        return int(value)

    def get_page_number(self, request, paginator):
        """An empty ``?page=`` is a 400 (DRF would read it as page 1, though the schema asks for an integer)."""
        value = request.query_params.get(self.page_query_param)
        if value is not None and not value.strip():
            raise exceptions.ValidationError({"page": ["A page number from 1."]})
        return super().get_page_number(request, paginator)

    def get_paginated_response_schema(self, schema):
        """OpenAPI 3.1: the page links are ``type: [string, null]`` (DRF writes 3.0's ``nullable``)."""
        response = super().get_paginated_response_schema(schema)
        for link in ("next", "previous"):
            field = response["properties"][link]
            field.pop("nullable", None)
            field["type"] = ["string", "null"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == "page_size":
                parameter["schema"] |= {"minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = f"Rows per page, 1–{self.max_page_size}."
            if parameter["name"] == "page":
                parameter["schema"] |= {"minimum": 1}
        return parameters
