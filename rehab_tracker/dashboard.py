"""The staff dashboard inside the Django admin: /admin/dashboard/."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict

from django.contrib import admin
from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.template.response import TemplateResponse
from django.utils import timezone

from exercises.adherence import adherence_for_programs
from exercises.models import CURRENT_STATUSES, Program, ProgramStatus
from notifications.evaluation_runs import evaluation_progress
from notifications.models import Delivery, EvaluationRun, Flag, Reminder
from patients.clinics import clinics_for_user, is_install_admin
from patients.models import User

from .celery import app as celery_app
from .charts import bar_chart, column_chart

log = logging.getLogger(__name__)
CACHE_SECONDS = 300


def _adherence_by_program(clinic_ids: set[int] | None) -> dict[int, tuple[float | None, int | None]]:
    """(7-day adherence, physio id) of every active program of these clinics (None: all); cached for all
    clinics at once, as it reads every program."""
    cached = cache.get("dashboard:adherence:v2")
    if cached is None:
        programs = list(
            Program.objects.filter(status=ProgramStatus.ACTIVE).select_related("patient").prefetch_related("pauses")
        )
        figures = adherence_for_programs(programs, last_days=7)
        cached = {p.id: (figures[p.id].overall, p.patient.physio_id, p.patient.clinic_id) for p in programs}
        cache.set("dashboard:adherence:v2", cached, CACHE_SECONDS)
    return {
        pid: (a, physio) for pid, (a, physio, clinic) in cached.items() if clinic_ids is None or clinic in clinic_ids
    }


def _histogram(values: list[float]) -> list[tuple[str, float]]:
    buckets = Counter(min(int(v * 10), 9) for v in values)
    return [(f"{n * 10}–{n * 10 + 10}%", buckets.get(n, 0)) for n in range(10)]


def _queue_health() -> dict:
    health = {"queued": None, "workers": None}
    try:
        with celery_app.connection_for_read() as conn:
            health["queued"] = conn.default_channel.queue_declare(queue="celery", passive=True).message_count
        replies = celery_app.control.inspect(timeout=1.0).ping() or {}
        health["workers"] = len(replies)
    except Exception:
        log.warning("dashboard: broker not answering", exc_info=True)
    return health


def dashboard(request):
    """The figures of the clinics the admin belongs to (the install's superusers who belong to none: all)."""
    now = timezone.now()
    clinic_ids = (
        None if is_install_admin(request.user) else set(clinics_for_user(request.user).values_list("id", flat=True))
    )
    mine = {} if clinic_ids is None else {"patient__clinic__in": clinic_ids}
    by_protocol = (
        Program.objects.filter(status__in=CURRENT_STATUSES, **mine)
        .values("protocol")
        .annotate(n=Count("id"))
        .order_by("protocol")
    )
    adherence = _adherence_by_program(clinic_ids)
    known = [a for a, _ in adherence.values() if a is not None]
    per_physio: dict[int, list[float]] = defaultdict(list)
    for value, physio in adherence.values():
        if value is not None:
            per_physio[physio].append(value)
    names = dict(User.objects.filter(id__in=per_physio).values_list("id", "username"))
    physio_rows = sorted(
        ((names.get(pid, pid), len(vals), round(100 * sum(vals) / len(vals))) for pid, vals in per_physio.items()),
        key=lambda row: row[2],
    )
    since = now - dt.timedelta(weeks=8)
    opened = dict(
        Flag.objects.filter(created_at__gte=since, **mine).annotate(week=TruncWeek("created_at")).values("week")
        .annotate(n=Count("id")).values_list("week", "n")
    )  # fmt: skip
    resolved = dict(
        Flag.objects.filter(resolved_at__gte=since, **mine).annotate(week=TruncWeek("resolved_at")).values("week")
        .annotate(n=Count("id")).values_list("week", "n")
    )  # fmt: skip
    weeks = sorted({w.date() for w in opened} | {w.date() for w in resolved})
    flag_weeks = [
        (w.strftime("%d %b"), sum(n for k, n in opened.items() if k.date() == w),
         sum(n for k, n in resolved.items() if k.date() == w))
        for w in weeks
    ]  # fmt: skip
    week_ago = now - dt.timedelta(days=7)
    # a delivery is the clinic's when its notification is about (or to) one of its patients, or to its staff
    notification_mine = {} if clinic_ids is None else {"pk__in": Delivery.objects.filter(
        Q(notification__patient__clinic__in=clinic_ids) | Q(notification__user__patient__clinic__in=clinic_ids)
        | Q(notification__user__memberships__clinic__in=clinic_ids)).values("pk")}  # fmt: skip
    channels = [
        (f"in-app {row['status']}", row["n"])
        for row in Reminder.objects.filter(due_at__gte=week_ago, **mine)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    ]
    channels += [
        (f"{row['channel']} {row['status']}", row["n"])
        for row in Delivery.objects.filter(created_at__gte=week_ago, **notification_mine)
        .values("channel", "status")
        .annotate(n=Count("id"))
        .order_by("channel", "status")
    ]
    context = {
        "clinics": ", ".join(clinics_for_user(request.user).values_list("name", flat=True)) if clinic_ids else "",
        **admin.site.each_context(request),
        "title": "Rehab Tracker dashboard",
        "programs_chart": bar_chart([(row["protocol"], row["n"]) for row in by_protocol]),
        "adherence_chart": bar_chart(_histogram(known)),
        "adherence_known": len(known),
        "flags_chart": column_chart(flag_weeks, legend=("opened", "resolved")),
        "physio_rows": physio_rows,
        "physio_chart": bar_chart([(str(name), pct) for name, _, pct in physio_rows], unit="%"),
        "channels_chart": bar_chart(channels),
        "queue": _queue_health(),
        "stuck_reminders": Reminder.objects.filter(
            status="queued", due_at__lt=now - dt.timedelta(minutes=5), **mine
        ).count(),
        "pending_deliveries": Delivery.objects.filter(status__in=["pending", "sending"], **notification_mine).count(),
        # A run spans every clinic: the install's admins see it (patient ids only, never names).
        "evaluation_runs": [evaluation_progress(run=run) for run in EvaluationRun.objects.all()[:5]]
        if clinic_ids is None
        else [],
    }
    return TemplateResponse(request, "admin/dashboard.html", context)
