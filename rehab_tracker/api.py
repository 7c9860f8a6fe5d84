"""API plumbing: the exception handler and a JSON parser that refuses oversized bodies."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.views import exception_handler as drf_exception_handler


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
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    return drf_exception_handler(exc, context)


class Pagination(PageNumberPagination):
    """Pages of ``API_PAGE_SIZE`` (100); ``?page_size=`` up to 500 (a whole caseload in one call)."""

    page_size_query_param = "page_size"
    max_page_size = 500


class DateRangeQuery(serializers.Serializer):
    """``?from=&to=`` (and ``?patient=`` where a list takes it), with errors named as the client sent them."""

    max_days: int | None = 366

    patient = serializers.IntegerField(min_value=1, required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def to_internal_value(self, data):
        data = {"patient": data.get("patient"), "date_from": data.get("from"), "date_to": data.get("to")}
        data = {k: v for k, v in data.items() if v not in (None, "")}
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            renamed = {{"date_from": "from", "date_to": "to"}.get(k, k): v for k, v in exc.detail.items()}
            raise serializers.ValidationError(renamed) from exc

    def validate(self, attrs):
        first, last = attrs.get("date_from"), attrs.get("date_to")
        if first and last and first > last:
            raise serializers.ValidationError({"from": ["'from' must not be after 'to'."]})
        if first and last and self.max_days and (last - first).days >= self.max_days:
            raise serializers.ValidationError({"to": [f"Ask for at most {self.max_days} days at a time."]})
        return attrs

    @classmethod
    def read(cls, params) -> dict:
        query = cls(data=params)
        query.is_valid(raise_exception=True)
        return query.validated_data


class AnyDateRangeQuery(DateRangeQuery):
    """For streamed exports: any length."""

    max_days = None
