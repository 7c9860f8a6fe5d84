"""The caseload: each patient's figures for a clinician, in a fixed number of queries for any page size."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from core.localtime import local_today
from core.weeks import week_on_week
from exercises.aggregates import DaySets, last_log_dates, monitored_days, sets_by_day
from exercises.models import CURRENT_STATUSES, AdherenceSummary, Program
from exercises.progression import progression_due, progression_rows
from exercises.selectors import current_programs
from exercises.summaries import kept_figures, refresh_stale
from notifications.models import FlagLevel
from notifications.selectors import open_flag_count, open_flag_exists
from patients.models import Patient, User, VisaA
from patients.scope import patients_for_user

MONITORED_WINDOW = 30  # days; remote therapeutic monitoring counts 16 of 30 (CPT 98977) or 2–15 (98985)


def caseload_queryset(user: User) -> QuerySet[Patient]:
    latest_visa = VisaA.objects.filter(patient=OuterRef("pk")).order_by("-date", "-id").values("score")[:1]
    return (
        patients_for_user(user)
        .annotate(
            open_flags=open_flag_count(),
            red_flag_open=open_flag_exists(kind="red_flag"),
            physician_flag_open=open_flag_exists(level=FlagLevel.PHYSICIAN),
            latest_visa_a=Subquery(latest_visa),
        )
        .order_by("id")
    )


def order_by_risk(patients: QuerySet[Patient], *, now: dt.datetime | None = None) -> QuerySet[Patient]:
    """Red flags first, then physician-level flags, then the lowest 7-day adherence (unknown last), in SQL.

    The 7-day adherence comes from each patient's current (else latest) program's kept summary, refreshed
    first where it expired, so the order is exactly what ``adherence.py`` says and the page is cut in SQL.
    """
    refresh_stale(Program.objects.filter(patient__in=patients.values("pk")), now=now)
    current_first = Case(When(program__status__in=CURRENT_STATUSES, then=0), default=1)
    kept = (
        AdherenceSummary.objects.filter(program__patient=OuterRef("pk"))
        .order_by(current_first, "-program__start_date", "-program_id")
        .values("adherence_7d")[:1]
    )
    return patients.annotate(risk_adherence=Coalesce(Subquery(kept), Value(2.0))).order_by(
        F("red_flag_open").desc(), F("physician_flag_open").desc(), "risk_adherence", "id"
    )


def with_caseload_figures(patients: list[Patient], *, now: dt.datetime | None = None) -> list[Patient]:
    """Attach the program, adherence, pain trend, last log and monitored days to each patient."""
    if not patients:
        return patients
    ids = [p.id for p in patients]
    todays = {p.id: local_today(p.timezone, now) for p in patients}
    programs = current_programs(ids, progression_rows())
    kept = kept_figures(list(programs.values()), now=now)  # exactly adherence.py's, recomputed only when stale
    due = progression_due([p for p in programs.values() if p.status in CURRENT_STATUSES], max(todays.values()))
    since = min(todays.values()) - dt.timedelta(days=MONITORED_WINDOW)
    sets = sets_by_day(ids, since)
    days_seen = monitored_days(ids, since)
    last_logs = last_log_dates(ids, recent=sets)  # only the quiet ones are looked up
    for patient in patients:
        today, program = todays[patient.id], programs.get(patient.id)
        patient.current_program = program
        patient.adherence_7d = kept[program.id].adherence_7d if program else None
        patient.adherence_28d = kept[program.id].adherence_28d if program else None
        current = program is not None and program.status in CURRENT_STATUSES
        patient.week = program.week_on(today) if current else None
        patient.progression_due = program is not None and program.id in due
        patient.last_log_date = last_logs.get(patient.id)
        patient.pain_trend = _pain_trend(sets.get(patient.id, {}), today)
        window = today - dt.timedelta(days=MONITORED_WINDOW - 1)  # the 30 days ending today
        patient.monitored_days_30d = sum(1 for d in days_seen[patient.id] if window <= d <= today)
    return patients


def _pain_trend(per_day: dict[dt.date, DaySets], today: dt.date) -> float | None:
    """This week's mean exercise pain minus last week's (finished days; None without both)."""
    this_week, last_week = week_on_week({d: (s.pain_total, s.sets) for d, s in per_day.items()}, today)
    return None if this_week is None or last_week is None else round(this_week - last_week, 2)
