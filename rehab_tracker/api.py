"""API plumbing: the exception handler and a JSON parser that refuses oversized bodies."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser


class LimitedJSONParser(JSONParser):
    """JSON, but a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE is a 400, not a memory spike."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and length.isdigit() and int(length) > limit:
            raise exceptions.ParseError(f"Request body larger than {limit} bytes.")
        return super().parse(stream, media_type, parser_context)


def exception_handler(exc, context):
    # Imported here: DRF's settings import this module, and rest_framework.views reads those settings.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    return drf_exception_handler(exc, context)


class Pagination(PageNumberPagination):
    """Pages of ``API_PAGE_SIZE`` (100); ``?page_size=`` up to 500 (a whole caseload in one call)."""

    page_size_query_param = "page_size"
    max_page_size = 500
