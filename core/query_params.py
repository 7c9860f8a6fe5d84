"""Query-string serializers shared by several apps' views.

Kept apart from ``core.api``, which DRF's settings import (parsers, pagination):
importing serializers there would make an import cycle.
"""

import datetime as dt
import re

from rest_framework import serializers

ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only: "²" and "١" are digits to str.isdigit and int()
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


def id_param(params, name: str) -> int | None:
    """An optional ``?name=<id>`` query parameter: None when absent, a 400 naming it when not an id."""
    value = params.get(name)
    if value is None:
        return None
    if not ID.fullmatch(value):
        raise serializers.ValidationError({name: [f"A {name} id is a whole number (digits 0-9)."]})
    return int(value)


class StrictQuery(serializers.Serializer):
    """A query-string serializer where a parameter given empty (``?protocol=``) is a 400: DRF reads an empty
    value of an optional field as absent, though the schema says what the parameter must be."""

    def to_internal_value(self, data):
        empty = {name: ["May not be empty."] for name in self.fields if name in data and not str(data[name]).strip()}
        if empty:
            raise serializers.ValidationError(empty)
        return super().to_internal_value(data)


class IdField(serializers.IntegerField):
    """An id in a query string: ASCII digits only."""

    def to_internal_value(self, data):
        if not ID.fullmatch(str(data)):
            self.fail("invalid")
        return super().to_internal_value(data)


class BoundedDateField(serializers.DateField):
    """A date in a query string, between 2000 and 2099 (arithmetic on year 1 or 9999 overflows)."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not FIRST_DATE <= day <= LAST_DATE:
            raise serializers.ValidationError(f"Give a date from {FIRST_DATE} to {LAST_DATE}.")
        return day


class DateRangeQuery(serializers.Serializer):
    """``?from=&to=`` (and ``?patient=`` where a list takes it), with errors named as the client sent them."""

    max_days: int | None = 366

    patient = IdField(min_value=1, required=False)
    date_from = BoundedDateField(required=False)
    date_to = BoundedDateField(required=False)

    def to_internal_value(self, data):
        data = {"patient": data.get("patient"), "date_from": data.get("from"), "date_to": data.get("to")}
        data = {k: v for k, v in data.items() if v is not None}  # an empty value is a 400, as the schema says
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
