"""The escalation ladder (SPEC §4; thresholds and sources in CLINICAL.md §5, §6, §8, §9).

``evaluate`` reads everything it needs for any number of patients in a fixed
number of grouped queries, decides in Python, and only writes where a flag opens
or rises. Re-running it changes nothing: one unresolved flag per patient and kind
(a partial unique constraint), notifications deduplicated by key.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from exercises.adherence import Adherence, adherence_over_last_days
from exercises.models import CURRENT_STATUSES, Program, ProgramStatus, SetLog
from exercises.protocols import PROTOCOLS
from patients.localtime import local_today
from patients.models import CheckIn, VisaA

from .models import Flag, FlagKind, FlagLevel, FlagStatus, NotificationKind
from .services import LEVEL_RANK, flag_raise, notify

PATHWAY = (
    "Next steps of the care pathway to consider (CLINICAL.md §1): an injection — corticosteroid into the fat pad "
    "or bursa, never into the tendon, or an orthobiologic such as platelet-rich plasma; then Tenex (percutaneous "
    "tenotomy) or tendon scraping; then tendon repair surgery. The software does not decide this."
)
RED_FLAG_ADVICE = (
    "Please stop your exercises now and seek care: contact your clinic today, or emergency care if you cannot walk. "
    "Your reminders are paused until a clinician has looked at this."
)


@dataclass
class Findings:
    """Per patient: the flags to raise, as (kind, level, reason)."""

    raises: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, kind: str, level: str, reason: str) -> None:
        self.raises.append((kind, level, reason))


def _pct(value: float) -> str:
    return f"{round(value * 100)}%"


def _sets(figure: float) -> str:
    return f"{figure:g}"


def evaluate(*, now: dt.datetime | None = None, patient_ids: list[int] | None = None) -> dict[str, int]:
    now = now or timezone.now()
    rearm_after = now - dt.timedelta(days=settings.FLAG_REARM_DAYS)
    recent_end = now.date() - dt.timedelta(days=settings.MISSING_OUTCOME_AFTER_DAYS + 3)
    programs = Program.objects.filter(
        Q(status__in=CURRENT_STATUSES) | Q(status=ProgramStatus.COMPLETED, end_date__gte=recent_end)
    )
    if patient_ids is not None:
        programs = programs.filter(patient_id__in=patient_ids)
    programs = list(
        programs.select_related("patient__user", "patient__physio", "patient__physician").prefetch_related("pauses")
    )
    todays = {p.id: local_today(p.patient.timezone, now) for p in programs}
    completed = _complete_ended(programs, todays)
    active = [p for p in programs if p.status == ProgramStatus.ACTIVE]
    ids = {p.patient_id for p in programs}

    open_flags = {(f.patient_id, f.kind): f for f in Flag.objects.filter(patient_id__in=ids).exclude(status="resolved")}
    resolved = {
        (row["patient_id"], row["kind"]): row["last"]
        for row in Flag.objects.filter(patient_id__in=ids, status=FlagStatus.RESOLVED)
        .values("patient_id", "kind")
        .annotate(last=Max("resolved_at"))
    }

    def fresh(pid: int, kind: str) -> bool:
        return resolved.get((pid, kind)) is None or resolved[(pid, kind)] < rearm_after

    findings: dict[int, Findings] = defaultdict(Findings)
    figures = adherence_over_last_days(active, now=now, windows=(7, 14))
    adh7, adh14 = figures[7], figures[14]
    for program in active:
        pid = program.patient_id
        if fresh(pid, FlagKind.NON_ADHERENCE):
            _non_adherence(program, adh7[program.id], adh14[program.id], findings[pid])
        _escalation(program, adh14[program.id], open_flags.get((pid, FlagKind.NON_ADHERENCE)), now, findings[pid])
    _pain(active, todays, now, findings, fresh)
    _red_flags(programs, todays, resolved, findings)
    _outcomes(programs, todays, now, findings)

    patients = {p.patient_id: p.patient for p in programs}
    raised = 0
    for pid, found in findings.items():
        for kind, level, reason in found.raises:
            held = open_flags.get((pid, kind))
            if held and LEVEL_RANK[held.level] >= LEVEL_RANK[level]:
                continue  # already open at this level: nothing to write (flag_raise would agree)
            flag, changed = flag_raise(patient=patients[pid], kind=kind, level=level, reason=reason)
            open_flags[(pid, kind)] = flag
            raised += changed
            if kind == FlagKind.RED_FLAG:
                _tell_patient_to_stop(flag)
    return {"programs": len(programs), "flags_raised": raised, "completed": completed}


def _complete_ended(programs: list[Program], todays: dict[int, dt.date]) -> int:
    ended = [p for p in programs if p.status in CURRENT_STATUSES and todays[p.id] > p.end_date]
    if not ended:
        return 0
    Program.objects.filter(id__in=[p.id for p in ended], status__in=CURRENT_STATUSES).update(
        status=ProgramStatus.COMPLETED
    )
    for p in ended:
        p.status = ProgramStatus.COMPLETED
    return len(ended)


def _non_adherence(program: Program, adh7: Adherence, adh14: Adherence, found: Findings) -> None:
    reasons = []
    if adh7.overall is not None and adh7.overall < settings.NON_ADHERENCE_7D_BELOW:
        reasons.append(
            f"7-day adherence {_pct(adh7.overall)} ({_sets(adh7.completed_sets)} of {_sets(adh7.prescribed_sets)} sets)"
        )
    spec = PROTOCOLS[program.protocol]
    if spec.daily:
        days = [d for d in adh7.days if d.status == "finished" and d.prescribed_sets][
            -settings.NON_ADHERENCE_EMPTY_DAYS :
        ]
        if len(days) == settings.NON_ADHERENCE_EMPTY_DAYS and all(d.completed_sets == 0 for d in days):
            reasons.append(f"no sets on {len(days)} consecutive days")
    else:
        week = _last_finished_week(program, adh14)
        if week is not None:
            number, sessions = week
            if sessions < settings.HSR_MIN_SESSIONS_PER_WEEK:
                reasons.append(f"week {number} finished with {sessions} session(s)")
    if reasons:
        found.add(FlagKind.NON_ADHERENCE, FlagLevel.PHYSIO, "; ".join(reasons))


def _last_finished_week(program: Program, adh14: Adherence) -> tuple[int, int] | None:
    """HSR: (week number, days with sets) of the latest program week all of whose days are finished."""
    by_week: dict[int, list] = defaultdict(list)
    for day in adh14.days:
        by_week[(day.date - program.start_date).days // 7 + 1].append(day)
    for number in sorted(by_week, reverse=True):
        days = by_week[number]
        if len(days) == 7 and all(d.status == "finished" for d in days):
            if not all(program.prescribes_on(d.date) for d in days):
                return None  # a paused week owes no sessions
            return number, sum(1 for d in days if d.completed_sets > 0)
    return None


def _escalation(program: Program, adh14: Adherence, flag: Flag | None, now: dt.datetime, found: Findings) -> None:
    waited = dt.timedelta(days=settings.ESCALATE_UNACKNOWLEDGED_DAYS)
    if flag and flag.level == FlagLevel.PHYSIO and flag.status == FlagStatus.OPEN and now - flag.created_at >= waited:
        days = (now - flag.created_at).days
        found.add(FlagKind.NON_ADHERENCE, FlagLevel.PHYSICIAN, f"physio flag unacknowledged for {days} days")
    if adh14.overall is not None and adh14.overall < settings.ESCALATE_14D_BELOW:
        found.add(
            FlagKind.NON_ADHERENCE,
            FlagLevel.PHYSICIAN,
            f"14-day adherence {_pct(adh14.overall)} "
            f"({_sets(adh14.completed_sets)} of {_sets(adh14.prescribed_sets)} sets)",
        )


def _pain(active, todays, now, findings, fresh) -> None:
    """Silbernagel 2007: exercise pain above 5/10 in consecutive sessions, or morning pain rising week on week."""
    if not active:
        return
    by_id = {p.patient_id: p for p in active}
    first = min(todays.values()) - dt.timedelta(days=14)
    sessions = (
        SetLog.objects.filter(program_id__in=[p.id for p in active], date__gte=first)
        .values_list("patient_id", "date", "session")
        .annotate(worst=Max("pain"))
        .order_by("patient_id", "date", "session")
    )
    recent: dict[int, list[int]] = defaultdict(list)
    for pid, day, _session, worst in sessions:
        if day < todays[by_id[pid].id]:  # finished days only
            recent[pid].append(worst)
    need = settings.PAIN_CONSECUTIVE_SESSIONS
    for pid, worst in recent.items():
        last = worst[-need:]
        if len(last) == need and all(w > settings.PAIN_ABOVE for w in last) and fresh(pid, FlagKind.PAIN):
            findings[pid].add(
                FlagKind.PAIN,
                FlagLevel.PHYSIO,
                f"exercise pain above {settings.PAIN_ABOVE}/10 in the last {need} sessions "
                f"({', '.join(map(str, last))})",
            )
    mornings: dict[int, dict[str, list[int]]] = defaultdict(lambda: {"this": [], "last": []})
    for pid, day, pain in CheckIn.objects.filter(patient_id__in=by_id, date__gte=first).values_list(
        "patient_id", "date", "morning_pain"
    ):
        age = (todays[by_id[pid].id] - day).days
        if 1 <= age <= 7:
            mornings[pid]["this"].append(pain)
        elif 8 <= age <= 14:
            mornings[pid]["last"].append(pain)
    for pid, weeks in mornings.items():
        if not weeks["this"] or not weeks["last"] or not fresh(pid, FlagKind.PAIN):
            continue
        this, last = sum(weeks["this"]) / len(weeks["this"]), sum(weeks["last"]) / len(weeks["last"])
        if this - last >= settings.MORNING_PAIN_WEEKLY_RISE:
            findings[pid].add(
                FlagKind.PAIN, FlagLevel.PHYSIO, f"mean morning pain rose from {last:.1f} to {this:.1f} this week"
            )


def _red_flags(programs, todays, resolved, findings) -> None:
    """CLINICAL.md §8: any red-flag answer goes to the physician at once."""
    if not programs:
        return
    first = min(todays.values()) - dt.timedelta(days=14)
    rows = (
        CheckIn.objects.filter(patient_id__in={p.patient_id for p in programs}, date__gte=first)
        .exclude(red_flags=[])
        .order_by("created_at")
    )
    for checkin in rows:
        last_resolved = resolved.get((checkin.patient_id, FlagKind.RED_FLAG))
        if last_resolved is None or checkin.created_at > last_resolved:
            answers = ", ".join(a.replace("_", " ") for a in checkin.red_flags)
            findings[checkin.patient_id].add(
                FlagKind.RED_FLAG, FlagLevel.PHYSICIAN, f"check-in of {checkin.date} reports: {answers}"
            )


def _outcomes(programs, todays, now, findings) -> None:
    """End of week 12: VISA-A against baseline (CLINICAL.md §6), or ask for the missing outcome."""
    ended = [p for p in programs if todays[p.id] > p.end_date]
    if not ended:
        return
    scores: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for pid, day, score in VisaA.objects.filter(patient_id__in={p.patient_id for p in ended}).values_list(
        "patient_id", "date", "score"
    ):
        scores[pid].append((day, score))
    done = set(
        Flag.objects.filter(
            patient_id__in={p.patient_id for p in ended},
            kind__in=[FlagKind.TREATMENT_REVIEW, FlagKind.MISSING_OUTCOME],
            created_at__gte=now - dt.timedelta(days=60),
        ).values_list("patient_id", "kind", "created_at__date")
    )
    for program in ended:
        pid, end = program.patient_id, program.end_date
        if any(p == pid and d >= end for p, _kind, d in done):
            continue  # this program's outcome was already judged
        history = sorted(scores.get(pid, []))
        baseline = next((s for d, s in history if d <= program.start_date + dt.timedelta(days=6)), None)
        outcome = [s for d, s in history if end - dt.timedelta(days=13) <= d <= end + dt.timedelta(days=7)]
        in_program = [s for d, s in history if end - dt.timedelta(days=13) <= d <= end]
        if outcome:
            _review(program, baseline, outcome[-1], findings)
            continue
        if not in_program:
            _ask_for_visa_a(program)
        if todays[program.id] >= end + dt.timedelta(days=settings.MISSING_OUTCOME_AFTER_DAYS):
            findings[pid].add(
                FlagKind.MISSING_OUTCOME,
                FlagLevel.PHYSIO,
                f"no VISA-A from the last 14 days of the program (ended {end}) or the "
                f"{settings.MISSING_OUTCOME_AFTER_DAYS} days after it",
            )


def _review(program: Program, baseline: int | None, outcome: int, findings) -> None:
    gain = None if baseline is None else outcome - baseline
    reasons = []
    if gain is not None and gain < settings.VISA_A_MIN_GAIN:
        reasons.append(
            f"VISA-A improved by {gain} points ({baseline} → {outcome}), less than {settings.VISA_A_MIN_GAIN}"
        )
    if outcome < settings.VISA_A_REVIEW_BELOW:
        reasons.append(f"VISA-A {outcome} at the end of week 12 is below {settings.VISA_A_REVIEW_BELOW}")
    if reasons:
        findings[program.patient_id].add(
            FlagKind.TREATMENT_REVIEW, FlagLevel.PHYSICIAN, "; ".join(reasons) + ". " + PATHWAY
        )


def _ask_for_visa_a(program: Program) -> None:
    notify(
        user=program.patient.user,
        kind=NotificationKind.INFO,
        title="How is your Achilles now?",
        body="Your 12-week program has ended. Please fill in the VISA-A questionnaire so your physio can review it.",
        push_text="Please fill in your end-of-program questionnaire.",
        dedupe_key=f"visa-a-request:{program.id}",
        patient=program.patient,
        url="/visa-a",
    )


def _tell_patient_to_stop(flag: Flag) -> None:
    notify(
        user=flag.patient.user,
        kind=NotificationKind.INFO,
        title="Please stop your exercises",
        body=RED_FLAG_ADVICE,
        push_text="Please open Rehab Tracker: important advice about your exercises.",
        dedupe_key=f"red-flag-advice:{flag.id}",
        patient=flag.patient,
        url="/notifications",
    )
