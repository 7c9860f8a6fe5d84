from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import Flag, FlagStatus


def open_flag_count() -> Coalesce:
    """An annotation: the number of unresolved flags of the patient in the outer query."""
    counts = (
        Flag.objects.filter(patient=OuterRef("pk"))
        .exclude(status=FlagStatus.RESOLVED)
        .order_by()
        .values("patient")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)
