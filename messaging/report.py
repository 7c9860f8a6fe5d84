"""The RTM report of a month: per patient the 30-day periods with their data days and device code, the
month's management minutes, whether there was an interactive communication, and the codes reached
(the rules and their arithmetic are in ``messaging.rtm``; docs/rtm.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict

from django.db.models import Min, Sum
from django.utils import timezone

from core.localtime import local_now, local_today
from core.roles import Role
from exercises.aggregates import monitored_days
from patients.models import AccessDay, Patient

from . import rtm
from .clinic import clinic_settings
from .models import Activity, Message, TimeEntry


def data_days(patient_ids: list[int], *, until: dt.date, rule: str) -> dict[int, set[dt.date]]:
    """The clinic's data days up to ``until``: "activity" (a set, check-in or VISA-A: the caseload's days
    monitored), or "access" (those and every day the patient opened the app)."""
    days = monitored_days(patient_ids, None, until)
    if rule == "access":
        rows = AccessDay.objects.filter(patient_id__in=patient_ids, date__lte=until).values_list("patient_id", "date")
        for pid, day in rows:
            days[pid].add(day)
    return days


def _interactive(patients: list[Patient], first: dt.date, last: dt.date) -> set[int]:
    """Patients with an interactive communication in their local month: a logged call, or a message exchange
    (a message from the patient and one from the care team)."""
    ids = [p.id for p in patients]
    done = set(
        TimeEntry.objects.filter(patient_id__in=ids, activity=Activity.CALL, date__range=(first, last)).values_list(
            "patient_id", flat=True
        )
    )
    zones = {p.id: p.timezone for p in patients}
    window = (
        dt.datetime.combine(first - dt.timedelta(days=1), dt.time(), dt.UTC),
        dt.datetime.combine(last + dt.timedelta(days=2), dt.time(), dt.UTC),
    )
    sides: dict[int, set[str]] = defaultdict(set)
    rows = Message.objects.filter(patient_id__in=ids, created_at__range=window, author__isnull=False)
    for pid, role, at in rows.values_list("patient_id", "role", "created_at"):
        if first <= local_now(zones[pid], at).date() <= last:
            sides[pid].add("patient" if role == Role.PATIENT else "team")
    return done | {pid for pid, seen in sides.items() if seen == {"patient", "team"}}


def rtm_report(*, patients: list[Patient], month: str, now: dt.datetime | None = None) -> dict:
    """The report for ``month`` ("YYYY-MM") over ``patients``. Raises ValueError for a bad month."""
    # Each patient under their own clinic's rules (an admin of several clinics sees them all): patients of a
    # clinic with RTM off are left out; the data days are counted by each clinic's rule.
    rules = {}
    for patient in patients:
        if patient.clinic_id not in rules:
            rules[patient.clinic_id] = clinic_settings(patient.clinic)
    patients = [p for p in patients if rules[p.clinic_id].rtm_enabled]
    clinic = rules[patients[0].clinic_id] if patients else next(iter(rules.values()), clinic_settings(None))
    first, last = rtm.month_bounds(month)
    body = {"month": month, "enabled": clinic.rtm_enabled, "data_day_rule": clinic.rtm_data_day,
            "rules": [r.as_dict() for r in rtm.RULES], "patients": []}  # fmt: skip
    if not patients:
        return body
    now = now or timezone.now()
    ids = [p.id for p in patients]
    days = {}
    for rule in {r.rtm_data_day for r in rules.values() if r.rtm_enabled}:
        counted = [p.id for p in patients if rules[p.clinic_id].rtm_data_day == rule]
        days |= data_days(counted, until=last, rule=rule)
    entries = TimeEntry.objects.filter(patient_id__in=ids)
    minutes = dict(
        entries.filter(date__range=(first, last)).values("patient_id").annotate(m=Sum("minutes"))
        .values_list("patient_id", "m")
    )  # fmt: skip
    setups = dict(
        entries.filter(activity=Activity.SETUP).values("patient_id").annotate(d=Min("date"))
        .values_list("patient_id", "d")
    )  # fmt: skip
    interactive = _interactive(patients, first, last)
    for patient in patients:
        body["patients"].append(
            _patient_row(patient, sorted(days.get(patient.id, ())), first, last, now,
                         minutes=minutes.get(patient.id, 0), interactive=patient.id in interactive,
                         setup=setups.get(patient.id)) | {"data_day_rule": rules[patient.clinic_id].rtm_data_day}
        )  # fmt: skip
    return body


def _patient_row(patient, days, first, last, now, *, minutes, interactive, setup) -> dict:
    today = local_today(patient.timezone, now)
    periods = []
    if days:
        for period in rtm.periods_in_month(days[0], first, last):
            count = sum(1 for d in days if d in period and d <= today)
            left = max((period.end - max(today + dt.timedelta(days=1), period.start)).days + 1, 0)
            left += period.start <= today <= period.end and today not in days  # today may still bring data
            periods.append({
                "start": period.start, "end": period.end, "data_days": count,
                "device_code": rtm.device_code(count), "billed_in_month": rtm.ends_in(period, first, last),
                "complete": period.end < today, "reached_16_on": rtm.nth_data_day(days, period, 16),
                "on_track": count >= 16 or count + left >= 16,
            })  # fmt: skip
    setup_code = None
    if setup and first <= setup <= last and days:
        period = rtm.period_containing(days[0], setup)
        if sum(1 for d in days if d in period) >= rtm.BY_CODE["98975"].min_days:
            setup_code = "98975"
    name = " ".join(n for n in (patient.user.first_name, patient.user.last_name) if n) or patient.user.username
    return {
        "patient": patient.id, "name": name, "periods": periods, "setup_code": setup_code,
        "management_minutes": minutes, "interactive_communication": interactive,
        "management_codes": rtm.management_codes(minutes, interactive),
    }  # fmt: skip


CSV_COLUMNS = ["patient", "name", "month", "code", "units", "service_from", "service_to", "basis"]


def rtm_csv(report: dict) -> str:
    """One line per billable code for the billing office: device codes of the periods that end in the month,
    the set-up code, and the management codes."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    first, last = rtm.month_bounds(report["month"])
    for row in report["patients"]:
        head = [row["patient"], _safe(row["name"]), report["month"]]
        for period in row["periods"]:
            if period["billed_in_month"] and period["device_code"]:
                writer.writerow([*head, period["device_code"], 1, period["start"], period["end"],
                                 f"{period['data_days']} data days"])  # fmt: skip
        if row["setup_code"]:
            writer.writerow([*head, row["setup_code"], 1, first, last, "set-up and education"])
        for code in row["management_codes"]:
            basis = f"{row['management_minutes']} minutes, interactive communication"
            writer.writerow([*head, code["code"], code["units"], first, last, basis])
    return out.getvalue()


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
