"""Query-string serializers shared by several apps' views.

Kept apart from ``rehab_tracker.api``, which DRF's settings import (parsers, pagination):
importing serializers there would make an import cycle.
"""

from rest_framework import serializers


def id_param(params, name: str) -> int | None:
    """An optional ``?name=<id>`` query parameter: None when absent, a 400 naming it when not an id."""
    value = params.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise serializers.ValidationError({name: [f"A {name} id is a whole number."]})
    return int(value)


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
