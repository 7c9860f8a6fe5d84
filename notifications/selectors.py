"""Reads of flags for the apps above (caseload, admin, today, export)."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import Flag


def open_flag_exists(**filters) -> Exists:
    """An annotation or filter: the patient in the outer query has an open flag matching ``filters``."""
    return Exists(Flag.objects.open().filter(patient=OuterRef("pk"), **filters))


def open_flag_count() -> Coalesce:
    """An annotation: the number of unresolved flags of the patient in the outer query."""
    counts = (
        Flag.objects.open()
        .filter(patient=OuterRef("pk"))
        .order_by()
        .values("patient")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)
