"""Kept adherence figures (``AdherenceSummary``): recomputed on read when stale, never different from
``adherence.py``: a row is valid only until the patient's next local midnight or the next change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.localtime import local_today, zone

from .adherence import adherence_over_last_days
from .models import AdherenceSummary, Program

EXPIRED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def next_local_midnight(tz_name: str, now: dt.datetime) -> dt.datetime:
    tomorrow = local_today(tz_name, now) + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0), tzinfo=zone(tz_name)).astimezone(dt.UTC)


def invalidate(program_ids: Iterable[int]) -> None:
    """A set log or a program change: the kept figure is recomputed on the next read."""
    AdherenceSummary.objects.filter(program_id__in=list(program_ids)).update(valid_until=EXPIRED)


def expire_patient(sender, *, patient, **kwargs) -> None:
    """``patients.signals.patient_days_changed``: the patient's days moved or owe otherwise: figures expire."""
    invalidate(Program.objects.filter(patient_id=patient.id).values_list("id", flat=True))


def refresh_stale(programs: QuerySet[Program], *, now: dt.datetime | None = None) -> int:
    """Recompute the missing or expired summaries of ``programs`` (three queries and one upsert when any)."""
    now = now or timezone.now()
    stale = list(
        programs.filter(Q(summary__isnull=True) | Q(summary__valid_until__lte=now))
        .select_related("patient")
        .prefetch_related("pauses")
    )
    if not stale:
        return 0
    figures = adherence_over_last_days(stale, now=now, windows=(7, 28))
    AdherenceSummary.objects.bulk_create(
        [
            AdherenceSummary(
                program=p,
                adherence_7d=figures[7][p.id].overall,
                adherence_28d=figures[28][p.id].overall,
                valid_until=next_local_midnight(p.patient.timezone, now),
            )
            for p in stale
        ],
        update_conflicts=True,
        unique_fields=["program"],
        update_fields=["adherence_7d", "adherence_28d", "valid_until"],
    )
    return len(stale)


def kept_figures(programs: list[Program], *, now: dt.datetime | None = None) -> dict[int, AdherenceSummary]:
    """``{program id: summary}`` for ``programs``, fresh (stale ones recomputed first)."""
    ids = [p.id for p in programs]
    refresh_stale(Program.objects.filter(id__in=ids), now=now)
    return {s.program_id: s for s in AdherenceSummary.objects.filter(program_id__in=ids)}
