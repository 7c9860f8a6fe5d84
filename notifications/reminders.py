"""Exercise reminders at each patient's local time, exactly once (docs/clinical.md §7.5).

The sweep (every minute) finds due slots with three set-based queries (the zones in use, by a loose index
scan; the patients' own times; the protocols' defaults) whose size
depends on the number of time zones, not of patients: for each zone it turns the
last ``REMINDER_CATCHUP_MINUTES`` into local wall-clock ranges and selects the
patients with a reminder time in them. A slot is due once its local wall-clock
time has passed, so a time skipped by a spring-forward goes at the first minute
after the gap, and a time that happens twice is found twice but stored once:
a unique row per (patient, local date, slot) is claimed before anything is sent.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.localtime import zone
from exercises.aggregates import logged_sessions
from exercises.models import AfterCare, NextStep, Program, ProgramStatus
from exercises.prescriptions import maintenance_weekdays
from exercises.protocols import PROTOCOLS, prescription
from exercises.selectors import current_programs
from patients.clinics import clinic_setting
from patients.models import Clinic, Patient

from .deliveries import notify_many
from .models import Flag, FlagKind, Notification, NotificationKind, Reminder, ReminderStatus, ReminderTime

RESEND_AFTER = dt.timedelta(minutes=2)
NOON = dt.time(12)


def parse_times(values: Iterable[str]) -> list[dt.time]:
    return sorted({dt.time.fromisoformat(v) for v in values})


def default_times(protocol: str, clinic: Clinic | None = None) -> list[dt.time]:
    """A program's reminder times when the patient set none: the clinic's defaults, else the install's."""
    return parse_times(clinic_setting(clinic, _times_setting(protocol)))


def _times_setting(protocol: str) -> str:
    return "REMINDER_TIMES_ALFREDSON" if PROTOCOLS[protocol].daily else "REMINDER_TIMES_HSR"


@dataclass(frozen=True)
class LocalRange:
    """Local wall-clock times after ``after`` (None: from midnight) up to ``until`` on ``date``."""

    date: dt.date
    after: dt.time | None
    until: dt.time

    def holds(self, t: dt.time) -> bool:
        return (self.after is None or t > self.after) and t <= self.until

    def q(self, field: str) -> Q:
        condition = Q(**{f"{field}__lte": self.until})
        return condition & Q(**{f"{field}__gt": self.after}) if self.after else condition


def local_ranges(tz_name: str, start: dt.datetime, end: dt.datetime) -> list[LocalRange]:
    """The local wall-clock ranges that the instants (start, end] cover in ``tz_name``."""
    tz = zone(tz_name)
    first, last = start.astimezone(tz).replace(tzinfo=None), end.astimezone(tz).replace(tzinfo=None)
    if first >= last:  # an hour that repeats (fall back) brings no new wall-clock times
        return []
    ranges, day, after = [], first.date(), first.time()
    while day < last.date():
        ranges.append(LocalRange(day, after, dt.time.max))
        day, after = day + dt.timedelta(days=1), None
    ranges.append(LocalRange(day, after, last.time()))
    return ranges


def _default_groups() -> tuple[list[tuple[Q, list[dt.time]]], dict[tuple[int, str], list[dt.time]]]:
    """The programs that share default reminder times, as (condition, times): per kind of protocol, the
    clinics that keep the install's times and each clinic with its own; and ``{(clinic id, protocol): times}``
    of the latter. One query (the clinics with settings)."""
    overrides = list(Clinic.objects.exclude(settings={}))
    groups: list[tuple[Q, list[dt.time]]] = []
    own: dict[tuple[int, str], list[dt.time]] = {}
    for daily in (True, False):
        protocols = [slug for slug, spec in PROTOCOLS.items() if spec.daily is daily]
        name = _times_setting(protocols[0])
        setting_clinics = [c for c in overrides if name in c.settings]
        keep = Q(protocol__in=protocols) & ~Q(patient__clinic_id__in=[c.id for c in setting_clinics])
        groups.append((keep, default_times(protocols[0])))
        for clinic in setting_clinics:
            times = default_times(protocols[0], clinic)
            groups.append((Q(protocol__in=protocols, patient__clinic_id=clinic.id), times))
            own |= {(clinic.id, slug): times for slug in protocols}
    return groups, own


# A loose index scan: one index probe per distinct zone, however many patients (a DISTINCT over the
# patients and their programs read every row: half a second at 100,000).
ZONES_SQL = f"""
WITH RECURSIVE zones(tz) AS (
    SELECT min(timezone) FROM {Patient._meta.db_table}
    UNION ALL
    SELECT (SELECT min(timezone) FROM {Patient._meta.db_table} WHERE timezone > zones.tz) FROM zones
    WHERE tz IS NOT NULL
)
SELECT tz FROM zones WHERE tz IS NOT NULL
"""


def zones_in_use() -> list[str]:
    """Every time zone some patient has (a superset of the zones with an active program: the slot queries
    narrow to those)."""
    with connection.cursor() as cursor:
        cursor.execute(ZONES_SQL)
        return [tz for (tz,) in cursor.fetchall()]


def due_slots(now: dt.datetime) -> list[tuple[int, dt.date, dt.time]]:
    """(patient id, local date, slot) of every reminder due in the catch-up window ending at ``now``."""
    start = now - dt.timedelta(minutes=settings.REMINDER_CATCHUP_MINUTES)
    active = Q(patient__reminders_enabled=True, status=ProgramStatus.ACTIVE)
    ranges = {z: local_ranges(z, start, now) for z in zones_in_use()}
    custom_q, default_q = Q(pk__in=[]), Q(pk__in=[])
    groups, own = _default_groups()
    for tz_name, parts in ranges.items():
        for part in parts:
            custom_q |= Q(patient__timezone=tz_name) & part.q("local_time")
            for condition, times in groups:
                if any(part.holds(t) for t in times):
                    default_q |= Q(patient__timezone=tz_name) & condition
    custom = ReminderTime.objects.filter(
        custom_q, patient__reminders_enabled=True, patient__programs__status=ProgramStatus.ACTIVE
    ).values_list("patient_id", "patient__timezone", "local_time")
    defaults = (
        Program.objects.filter(default_q, active)
        .exclude(patient__reminder_times__isnull=False)
        .values_list("patient_id", "patient__timezone", "protocol", "patient__clinic_id")
    )
    slots = [(pid, tz, t) for pid, tz, t in custom]
    install = {slug: default_times(slug) for slug in PROTOCOLS}
    slots += [
        (pid, tz, t) for pid, tz, protocol, clinic in defaults for t in own.get((clinic, protocol), install[protocol])
    ]
    due = [(pid, part.date, t) for pid, tz, t in slots for part in ranges[tz] if part.holds(t)]
    return due + _maintenance_slots(start, now, ranges)


def _maintenance_slots(start: dt.datetime, now: dt.datetime, ranges: dict[str, list[LocalRange]]) -> list[tuple]:
    """Maintenance after week 12 (docs/clinical.md §11): a reminder at REMINDER_TIMES_MAINTENANCE on its two
    days a week, until its end. One query, whatever the number of patients."""
    times = parse_times(settings.REMINDER_TIMES_MAINTENANCE)
    rows = AfterCare.objects.filter(
        state=NextStep.MAINTENANCE,
        starts_on__lte=now.date() + dt.timedelta(days=1),
        ends_on__gte=start.date() - dt.timedelta(days=1),
        program__patient__reminders_enabled=True,
    ).select_related("program__patient")
    due = []
    for aftercare in rows:
        patient = aftercare.program.patient
        for part in ranges.get(patient.timezone, []):
            if maintenance_on(aftercare, part.date):
                due += [(patient.id, part.date, t) for t in times if part.holds(t)]
    return due


def maintenance_on(aftercare: AfterCare | None, day: dt.date) -> bool:
    if aftercare is None or aftercare.state != NextStep.MAINTENANCE:
        return False
    return aftercare.starts_on <= day <= aftercare.ends_on and day.weekday() in maintenance_weekdays(aftercare)


def sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Store the due reminders (once each) and return the ids to process: new ones and stuck ones."""
    now = now or timezone.now()
    token = uuid.uuid4()
    due = due_slots(now)
    if connection.vendor == "postgresql":
        new = _store_by_copy(due, now, token)
    else:
        Reminder.objects.bulk_create(
            [Reminder(patient_id=pid, local_date=day, slot=slot, due_at=now, sweep=token) for pid, day, slot in due],
            ignore_conflicts=True,
        )
        new = list(Reminder.objects.filter(sweep=token).values_list("id", flat=True))
    stuck = Reminder.objects.filter(
        status=ReminderStatus.QUEUED, due_at__lt=now - RESEND_AFTER, due_at__gte=now - dt.timedelta(days=1)
    )
    return new + list(stuck.values_list("id", flat=True))


def _store_by_copy(due: list[tuple[int, dt.date, dt.time]], now: dt.datetime, token: uuid.UUID) -> list[int]:
    """PostgreSQL: COPY the due slots into a temporary table, then one INSERT … ON CONFLICT DO NOTHING
    RETURNING id, so 100,000 reminders are stored without 100,000 Python model objects."""
    if not due:
        return []
    table, scratch = Reminder._meta.db_table, f"due_slot_{token.hex}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {scratch} (patient_id bigint, local_date date, slot time) ON COMMIT DROP"
        )
        with cursor.copy(f"COPY {scratch} (patient_id, local_date, slot) FROM STDIN") as copy:
            for row in due:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} (patient_id, local_date, slot, due_at, sweep, status, skip_reason) "
            f"SELECT patient_id, local_date, slot, %s, %s, %s, '' FROM {scratch} "
            "ON CONFLICT (patient_id, local_date, slot) DO NOTHING RETURNING id",
            [now, token, ReminderStatus.QUEUED],
        )
        return [row[0] for row in cursor.fetchall()]


def _in_quiet_hours(local: dt.time) -> bool:
    if not settings.REMINDER_QUIET_START or not settings.REMINDER_QUIET_END:
        return False
    start, end = (
        dt.time.fromisoformat(settings.REMINDER_QUIET_START),
        dt.time.fromisoformat(settings.REMINDER_QUIET_END),
    )
    return (start <= local or local < end) if start > end else (start <= local < end)


def _session_of(program: Program, slot: dt.time) -> str | None:
    if not PROTOCOLS[program.protocol].daily:
        return None
    return "am" if slot < NOON else "pm"


def _skip_reason(
    reminder: Reminder, program: Program | None, now: dt.datetime, logged: set, red: set, maintaining: set
) -> str:
    patient = reminder.patient
    if not patient.reminders_enabled:
        return "disabled"
    if (patient.id, reminder.local_date) in maintaining:
        return _maintenance_skip(reminder, now, red, logged)
    if program is None or program.status != ProgramStatus.ACTIVE:
        return "no active program"
    if patient.id in red:
        return "red flag open"
    if now - reminder.due_at > dt.timedelta(minutes=settings.REMINDER_CATCHUP_MINUTES):
        return "too late"
    if _in_quiet_hours(now.astimezone(zone(patient.timezone)).time()):
        return "quiet hours"
    if not prescription(program, reminder.local_date).items:
        return "nothing prescribed"
    session = _session_of(program, reminder.slot)
    if (patient.id, reminder.local_date, session) in logged or (patient.id, reminder.local_date, "any") in logged:
        return "session already logged"
    return ""


def _maintenance_skip(reminder: Reminder, now: dt.datetime, red: set, logged: set) -> str:
    if reminder.patient_id in red:
        return "red flag open"
    if any(pid == reminder.patient_id and day == reminder.local_date for pid, day, _ in logged):
        return "session already logged"
    if now - reminder.due_at > dt.timedelta(minutes=settings.REMINDER_CATCHUP_MINUTES):
        return "too late"
    if _in_quiet_hours(now.astimezone(zone(reminder.patient.timezone)).time()):
        return "quiet hours"
    return ""


def _maintaining(reminders: list[Reminder]) -> set[tuple[int, dt.date]]:
    """(patient, local date) of the reminders that fall on a maintenance day."""
    rows = {a.program.patient_id: a for a in AfterCare.objects.filter(
        state=NextStep.MAINTENANCE, program__patient_id__in={r.patient_id for r in reminders}
    ).select_related("program")}  # fmt: skip
    return {(r.patient_id, r.local_date) for r in reminders if maintenance_on(rows.get(r.patient_id), r.local_date)}


def _logged_sessions(reminders: list[Reminder], programs: dict[int, Program]) -> set:
    """(patient, date, session) with a logged set; HSR days count as ``any``."""
    logged = set()
    for pid, day, session in logged_sessions({r.patient_id for r in reminders}, {r.local_date for r in reminders}):
        program = programs.get(pid)
        daily = program is not None and PROTOCOLS[program.protocol].daily
        logged.add((pid, day, session if daily else "any"))
    return logged


def _text(program: Program, slot: dt.time) -> str:
    session = _session_of(program, slot)
    if session is None:
        return "Time for today's calf raise session."
    return "Time for your morning heel drops." if session == "am" else "Time for your evening heel drops."


def process(*, reminder_ids: list[int], now: dt.datetime | None = None) -> list[int]:
    """Send or skip each queued reminder of a chunk exactly once; return the channel deliveries to send.

    One transaction per chunk: the queued rows are locked (a racing processor waits, then finds them no
    longer queued), marked sent or skipped in one statement per outcome, and their notifications and
    deliveries inserted in bulk. A worker that dies midway rolls the whole chunk back; the sweep re-queues
    rows still queued after two minutes, and the notification's dedupe key keeps a retry from sending twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        reminders = list(
            Reminder.objects.select_for_update(of=("self",), no_key=True)
            .filter(id__in=reminder_ids, status=ReminderStatus.QUEUED)
            .select_related("patient__user")
            .order_by("id")
        )
        if not reminders:
            return []
        patient_ids = {r.patient_id for r in reminders}
        programs = current_programs(patient_ids)
        red = set(
            Flag.objects.open()
            .filter(patient_id__in=patient_ids, kind=FlagKind.RED_FLAG)
            .values_list("patient_id", flat=True)
        )
        logged = _logged_sessions(reminders, programs)
        maintaining = _maintaining(reminders)
        outcomes: dict[str, list[Reminder]] = defaultdict(list)
        for reminder in reminders:
            program = programs.get(reminder.patient_id)
            outcomes[_skip_reason(reminder, program, now, logged, red, maintaining)].append(reminder)
        for reason, rows in outcomes.items():
            Reminder.objects.filter(id__in=[r.id for r in rows]).update(
                status=ReminderStatus.SKIPPED if reason else ReminderStatus.SENT, skip_reason=reason, processed_at=now
            )
        return notify_many(
            [_notification(r, programs[r.patient_id], (r.patient_id, r.local_date) in maintaining)
             for r in outcomes.get("", [])]
        )  # fmt: skip


MAINTENANCE_TEXT = "Time for this week's maintenance calf exercises."


def _notification(reminder: Reminder, program: Program, maintenance: bool = False) -> Notification:
    text = MAINTENANCE_TEXT if maintenance else _text(program, reminder.slot)
    return Notification(
        user=reminder.patient.user,
        kind=NotificationKind.REMINDER,
        title="Exercise reminder",
        body=text,
        push_text=text,
        dedupe_key=f"reminder:{reminder.id}",
        patient=reminder.patient,
        url="/today",
    )


def reminder_times_set(*, patient: Patient, times: list[dt.time]) -> None:
    with transaction.atomic():
        ReminderTime.objects.filter(patient=patient).delete()
        ReminderTime.objects.bulk_create(ReminderTime(patient=patient, local_time=t) for t in sorted(set(times)))
