"""The escalation ladder (thresholds and sources in docs/clinical.md §5, §6, §8, §9).

``evaluate`` reads everything it needs for any number of patients in a fixed
number of grouped queries, decides in Python, and only writes where a flag opens
or rises. Re-running it changes nothing: one unresolved flag per patient and kind
(a partial unique constraint), notifications deduplicated by key, one
OutcomeReview per program, one RedFlagReport per red-flag check-in.

A resolved flag is raised again only on data recorded after its resolution
(docs/clinical.md §9): days finished after it, sessions and check-ins recorded after it.
While a red flag is open the exercises are on hold: no non-adherence, pain or
missing-outcome rule fires for that patient.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from core.localtime import local_today
from core.weeks import week_on_week
from exercises.adherence import Adherence, adherence_for_programs, adherence_over_last_days
from exercises.aggregates import session_pain
from exercises.models import CURRENT_STATUSES, Program, ProgramStatus
from exercises.outcomes import pick_baseline, pick_outcome, visa_a_due
from exercises.protocols import PROTOCOLS
from exercises.services import program_complete_ended
from patients.clinics import patient_setting
from patients.models import CheckIn, Role, User, VisaA

from .deliveries import notify_many
from .flags import flag_raise, flags_raise_many, red_flag_report
from .models import Flag, FlagKind, FlagLevel, FlagStatus, Notification, NotificationKind, OutcomeReview
from .review import follow_ups_schedule, treatment_review_text

ONE_DAY = dt.timedelta(days=1)
EARLIEST_ZONE = "Etc/GMT+12"  # the zone whose calendar is furthest behind (UTC-12)
log = logging.getLogger(__name__)


@dataclass
class Findings:
    """Per patient: the flags to raise, as (kind, level, reason)."""

    raises: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, kind: str, level: str, reason: str) -> None:
        self.raises.append((kind, level, reason))

    def strongest(self) -> dict[str, tuple[str, str]]:
        """Per kind: the highest level found, with every reason (a flag is not opened low to rise at once)."""
        out: dict[str, tuple[str, str]] = {}
        for kind, level, reason in self.raises:
            if kind not in out:
                out[kind] = (level, reason)
                continue
            held_level, held_reason = out[kind]
            top = level if FlagLevel.outranks(level, held_level) else held_level
            out[kind] = (top, f"{held_reason}; {reason}")
        return out


def _pct(value: float) -> str:
    return f"{round(value * 100)}%"


def _sets(figure: float) -> str:
    """Sets for people: whole numbers, or one decimal when a part-set matters."""
    return f"{round(figure, 1):g}"


@dataclass
class Context:
    now: dt.datetime
    todays: dict[int, dt.date]  # program id → the patient's local today
    resolved: dict[tuple[int, str], dt.datetime]  # (patient, kind) → last resolution
    red_open: set[int]  # patients with an unresolved red flag

    def since(self, program: Program, kind: str) -> dt.date | None:
        """The first local day after the last resolution of ``kind``: only days from here are new evidence."""
        at = self.resolved.get((program.patient_id, kind))
        return None if at is None else local_today(program.patient.timezone, at) + ONE_DAY


def evaluate(*, now: dt.datetime | None = None, patient_ids: list[int] | None = None) -> dict[str, int]:
    """The ladder for ``patient_ids`` (default: everyone it concerns), in one transaction.

    One patient whose data makes the evaluation fail (a bad row) must not stop it for the others: the batch
    is then run again one patient at a time, each in its own transaction, and every failure is logged with
    the patient's id only. ``failed`` counts them.
    """
    return evaluate_reporting(now=now, patient_ids=patient_ids)[0]


def evaluate_reporting(
    *, now: dt.datetime | None = None, patient_ids: list[int] | None = None
) -> tuple[dict[str, int], list[int]]:
    """``evaluate``, and the ids of the patients whose evaluation failed (a chunk records them)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return {**_evaluate(now, patient_ids), "failed": 0}, []
    except Exception:
        if patient_ids is not None and len(patient_ids) <= 1:
            raise
        log.warning("evaluation of a batch failed: evaluating its patients one by one", exc_info=True)
    totals = {"programs": 0, "flags_raised": 0, "completed": 0, "failed": 0}
    failed: list[int] = []
    for pid in patient_ids if patient_ids is not None else evaluation_concerned(now):
        try:
            with transaction.atomic():
                done = _evaluate(now, [pid])
        except Exception:
            log.exception("evaluation failed for patient %s", pid)
            failed.append(pid)
            continue
        for key, value in done.items():
            totals[key] += value
    totals["failed"] = len(failed)
    return totals, failed


def _current_or_recent(now: dt.datetime):
    # ended recently in any zone: from the earliest calendar date on Earth now (UTC-12)
    recent_end = local_today(EARLIEST_ZONE, now) - dt.timedelta(days=settings.MISSING_OUTCOME_AFTER_DAYS + 1)
    return Program.objects.filter(
        Q(status__in=CURRENT_STATUSES) | Q(status=ProgramStatus.COMPLETED, end_date__gte=recent_end)
    )


def evaluation_concerned(now: dt.datetime) -> list[int]:
    """Every patient an evaluation of everyone looks at: programs, unreported red flags, open flags."""
    ids = set(_current_or_recent(now).values_list("patient_id", flat=True))
    ids |= set(_unreported_red_flags().values_list("patient_id", flat=True))
    ids |= set(Flag.objects.open().values_list("patient_id", flat=True))
    return sorted(ids)


def _evaluate(now: dt.datetime, patient_ids: list[int] | None) -> dict[str, int]:
    reported = _report_red_flags(now, patient_ids)
    programs = _current_or_recent(now)
    if patient_ids is not None:
        programs = programs.filter(patient_id__in=patient_ids)
    programs = list(
        programs.select_related(
            "patient__user", "patient__clinic", "patient__physio", "patient__physician"
        ).prefetch_related("pauses")
    )
    todays = {p.id: local_today(p.patient.timezone, now) for p in programs}
    completed = program_complete_ended(programs=programs, todays=todays)
    ids = {p.patient_id for p in programs}
    open_flags = {(f.patient_id, f.kind): f for f in Flag.objects.open().filter(patient_id__in=ids)}
    resolved = {
        (row["patient_id"], row["kind"]): row["last"]
        for row in Flag.objects.resolved()
        .filter(patient_id__in=ids)
        .values("patient_id", "kind")
        .annotate(last=Max("resolved_at"))
    }
    ctx = Context(now, todays, resolved, {pid for pid, kind in open_flags if kind == FlagKind.RED_FLAG})
    active = [p for p in programs if p.status == ProgramStatus.ACTIVE and p.patient_id not in ctx.red_open]

    findings: dict[int, Findings] = defaultdict(Findings)
    figures = adherence_over_last_days(active, now=now, windows=(7, 14))
    for program in active:
        _non_adherence(program, figures[7][program.id], figures[14][program.id], ctx, findings[program.patient_id])
    _pain(active, ctx, findings)
    _clinical_review(programs, ctx, findings)
    _outcomes([p for p in programs if p.status == ProgramStatus.COMPLETED], ctx, findings)
    _ask_for_visa_a(active, ctx)
    _long_pauses([p for p in programs if p.status == ProgramStatus.PAUSED], ctx)

    patients = {p.patient_id: p.patient for p in programs}
    raises = []
    for pid, found in findings.items():
        for kind, (level, reason) in found.strongest().items():
            held = open_flags.get((pid, kind))
            if held is None or FlagLevel.outranks(level, held.level):  # else: open at this level already
                raises.append((patients[pid], kind, level, reason))
    raised = flags_raise_many(raises, open_flags)
    raised += _escalate_unacknowledged(now, patient_ids)
    _chase_red_flags(now, patient_ids)
    return {"programs": len(programs), "flags_raised": raised + reported, "completed": completed}


def _unreported_red_flags():
    """Red-flag check-ins no report has taken to a flag yet (the partial index on ``created_at`` serves it)."""
    return CheckIn.objects.filter(red_flag_report__isnull=True).exclude(red_flags=[])


def _report_red_flags(now: dt.datetime, patient_ids: list[int] | None) -> int:
    """docs/clinical.md §8.2, whatever the program's state: any red-flag check-in not yet reported goes now.

    Every path that stores a check-in reports its own (``patients.services.checkin_save``); this catches one
    stored around it (a bulk import, a raw write). It goes by the report that is missing, never by the
    check-in's date: a red flag phoned in about a day weeks ago is acted on like today's.
    """
    rows = _unreported_red_flags()
    if patient_ids is not None:
        rows = rows.filter(patient_id__in=patient_ids)
    rows = list(rows.select_related("patient__user", "patient__physio", "patient__physician").order_by("created_at"))
    if not rows:
        return 0
    last_resolved = dict(
        Flag.objects.filter(patient_id__in={c.patient_id for c in rows}, kind=FlagKind.RED_FLAG)
        .values("patient_id")
        .annotate(last=Max("resolved_at"))
        .values_list("patient_id", "last")
    )
    reported = 0
    for checkin in rows:
        done = last_resolved.get(checkin.patient_id)
        if done is None or checkin.created_at > done:  # older ones were decided on when the flag was resolved
            reported += red_flag_report(checkin=checkin) is not None
    return reported


def _non_adherence(program: Program, adh7: Adherence, adh14: Adherence, ctx: Context, found: Findings) -> None:
    today = ctx.todays[program.id]
    since = ctx.since(program, FlagKind.NON_ADHERENCE)
    if since is not None and since > today - dt.timedelta(days=14):  # judge only the days after the resolution
        if since >= today:
            return
        adh7, adh14 = (
            adherence_for_programs([program], now=ctx.now, date_from=max(since, today - dt.timedelta(days=n)),
                                   date_to=today - ONE_DAY)[program.id]
            for n in (7, 14)
        )  # fmt: skip
    reasons = []
    empty_days = patient_setting(program.patient, "NON_ADHERENCE_EMPTY_DAYS")  # the clinic's, else the install's
    finished = [d for d in adh7.days if d.status == "finished" and d.prescribes]
    if (
        adh7.overall is not None
        and adh7.overall < patient_setting(program.patient, "NON_ADHERENCE_7D_BELOW")
        and len(finished) >= empty_days
    ):
        reasons.append(
            f"7-day adherence {_pct(adh7.overall)} ({_sets(adh7.completed_sets)} of {_sets(adh7.prescribed_sets)} sets)"
        )
    spec = PROTOCOLS[program.protocol]
    if spec.daily:
        days = [d for d in adh7.days if d.status == "finished" and d.prescribed_sets][-empty_days:]
        if len(days) == empty_days and all(d.completed_sets == 0 for d in days):
            reasons.append(f"no sets on {len(days)} consecutive days")
    else:
        week = _last_finished_week(adh14)
        if week is not None and week[1] < patient_setting(program.patient, "HSR_MIN_SESSIONS_PER_WEEK"):
            reasons.append(f"week {week[0]} finished with {week[1]} session(s)")
    if reasons:
        found.add(FlagKind.NON_ADHERENCE, FlagLevel.PHYSIO, "; ".join(reasons))
    # 14-day adherence is judged on 14 finished days that owe sets, never on a program's first few days (the
    # physio-level rules act on those first)
    owed14 = [d for d in adh14.days if d.status == "finished" and d.prescribes]
    below = patient_setting(program.patient, "ESCALATE_14D_BELOW")
    if adh14.overall is not None and adh14.overall < below and len(owed14) >= 14:
        found.add(
            FlagKind.NON_ADHERENCE,
            FlagLevel.PHYSICIAN,
            f"14-day adherence {_pct(adh14.overall)} "
            f"({_sets(adh14.completed_sets)} of {_sets(adh14.prescribed_sets)} sets)",
        )


def _last_finished_week(adh14: Adherence) -> tuple[int, int] | None:
    """HSR: (week, days with sets) of the latest program week whose 7 unpaused days are all finished in the window.

    Paused days belong to no week's dose: a week paused throughout owes no sessions.
    """
    by_week: dict[int, list] = defaultdict(list)
    for day in adh14.days:
        if day.prescribes and day.week is not None:
            by_week[day.week].append(day)
    for number in sorted(by_week, reverse=True):
        days = by_week[number]
        if len(days) == 7 and all(d.status == "finished" for d in days):
            return number, sum(1 for d in days if d.completed_sets > 0)
    return None


def _pain(active: list[Program], ctx: Context, findings: dict[int, Findings]) -> None:
    """Silbernagel 2007: exercise pain above 5/10 in consecutive sessions, or morning pain rising week on week.

    Sessions on held or paused days do not count; after a resolution only sessions and check-ins recorded
    after it do.
    """
    if not active:
        return
    by_program = {p.id: p for p in active}
    first = min(ctx.todays[p.id] for p in active) - dt.timedelta(days=14)
    recent: dict[int, list[int]] = defaultdict(list)
    for s in session_pain(by_program, since=first):
        program = by_program[s.program_id]
        after = ctx.resolved.get((s.patient_id, FlagKind.PAIN))
        # a session counts once it is logged, today's too: the third painful session this morning flags today
        if s.date <= ctx.todays[program.id] and program.prescribes_on(s.date) and (after is None or s.recorded > after):
            recent[s.patient_id].append(s.worst)
    patients = {p.patient_id: p.patient for p in active}
    for pid, worst in recent.items():
        need, above = (patient_setting(patients[pid], n) for n in ("PAIN_CONSECUTIVE_SESSIONS", "PAIN_ABOVE"))
        last = worst[-need:]
        if len(last) == need and all(w > above for w in last):
            findings[pid].add(
                FlagKind.PAIN,
                FlagLevel.PHYSIO,
                f"exercise pain above {above}/10 in the last {need} sessions ({', '.join(map(str, last))})",
            )
    for pid, (this, last) in _morning_pain_weeks(active, ctx).items():
        if this - last >= patient_setting(patients[pid], "MORNING_PAIN_WEEKLY_RISE"):
            findings[pid].add(
                FlagKind.PAIN, FlagLevel.PHYSIO, f"mean morning pain rose from {last:.1f} to {this:.1f} this week"
            )


def _morning_pain_weeks(active: list[Program], ctx: Context) -> dict[int, tuple[float, float]]:
    """Mean morning pain of the last 7 finished days and of the 7 before, per patient (this week's new only)."""
    by_patient = {p.patient_id: p for p in active}
    first = min(ctx.todays[p.id] for p in active) - dt.timedelta(days=14)
    per_day: dict[int, dict[dt.date, tuple[int, int]]] = defaultdict(dict)
    for pid, day, pain, recorded in CheckIn.objects.filter(patient_id__in=by_patient, date__gte=first).values_list(
        "patient_id", "date", "morning_pain", "created_at"
    ):
        this_week = (ctx.todays[by_patient[pid].id] - day).days <= 7
        after = ctx.resolved.get((pid, FlagKind.PAIN))
        if this_week and after is not None and recorded <= after:
            continue  # this week's numbers must be new since the resolution
        total, count = per_day[pid].get(day, (0, 0))
        per_day[pid][day] = (total + pain, count + 1)
    means = {pid: week_on_week(days, ctx.todays[by_patient[pid].id]) for pid, days in per_day.items()}
    return {pid: m for pid, m in means.items() if m[0] is not None and m[1] is not None}


def _clinical_review(programs: list[Program], ctx: Context, findings: dict[int, Findings]) -> None:
    """docs/clinical.md §5: morning stiffness over 30 minutes on 3 or more check-ins in 7 days → the physio."""
    if not programs:
        return
    todays = {p.patient_id: ctx.todays[p.id] for p in programs}
    patients = {p.patient_id: p.patient for p in programs}
    above = {pid: patient_setting(patient, "CLINICAL_REVIEW_STIFFNESS_ABOVE") for pid, patient in patients.items()}
    first = min(todays.values()) - dt.timedelta(days=7)
    stiff: dict[int, list[int]] = defaultdict(list)
    for pid, day, minutes, recorded in CheckIn.objects.filter(
        patient_id__in=todays, date__gte=first, morning_stiffness_minutes__gt=min(above.values())
    ).values_list("patient_id", "date", "morning_stiffness_minutes", "created_at"):
        after = ctx.resolved.get((pid, FlagKind.CLINICAL_REVIEW))
        if minutes > above[pid] and 0 <= (todays[pid] - day).days < 7 and (after is None or recorded > after):
            stiff[pid].append(minutes)
    for pid, minutes in stiff.items():
        if len(minutes) >= patient_setting(patients[pid], "CLINICAL_REVIEW_CHECKINS"):
            findings[pid].add(
                FlagKind.CLINICAL_REVIEW,
                FlagLevel.PHYSIO,
                f"morning stiffness over {above[pid]} minutes on {len(minutes)} "
                f"check-ins in the last 7 days ({', '.join(map(str, sorted(minutes)))} min): can point to a "
                "systemic inflammatory cause",
            )


def _outcomes(ended: list[Program], ctx: Context, findings: dict[int, Findings]) -> None:
    """End of week 12: VISA-A against the program's baseline, once per program (docs/clinical.md §6).

    No outcome VISA-A yet: ask for one, and 7 days after the end flag the physio. One arriving after that
    flag is still reviewed.
    """
    ended = [p for p in ended if p.patient_id not in ctx.red_open]
    if not ended:
        return
    judged = OutcomeReview.objects.filter(program__in=ended, outcome__isnull=False)  # a decision may come first
    reviewed = set(judged.values_list("program_id", flat=True))
    ended = [p for p in ended if p.id not in reviewed]
    scores: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for pid, day, score in (
        VisaA.objects.filter(patient_id__in={p.patient_id for p in ended})
        .order_by("date", "id")
        .values_list("patient_id", "date", "score")
    ):
        scores[pid].append((day, score))
    missing_flagged = set(
        Flag.objects.filter(patient_id__in={p.patient_id for p in ended}, kind=FlagKind.MISSING_OUTCOME).values_list(
            "patient_id", "created_at"
        )
    )
    asks = []
    for program in ended:
        pid, end = program.patient_id, program.end_date
        outcome = pick_outcome(program, scores[pid])
        if outcome is not None:
            _review(program, pick_baseline(program, scores[pid]), outcome)
            continue
        asks.append(_outcome_request(program))
        tz = program.patient.timezone
        flagged = any(p == pid and local_today(tz, at) >= end for p, at in missing_flagged)
        if not flagged and ctx.todays[program.id] >= end + dt.timedelta(days=settings.MISSING_OUTCOME_AFTER_DAYS):
            findings[pid].add(
                FlagKind.MISSING_OUTCOME,
                FlagLevel.PHYSIO,
                f"no VISA-A from the last 14 days of the program (ended {end}) or the "
                f"{settings.MISSING_OUTCOME_AFTER_DAYS} days after it",
            )
    notify_many(asks)


def _review(program: Program, baseline: int | None, outcome: int) -> None:
    """Judge once: an OutcomeReview row, and a treatment-review flag to the physician when the program fell short."""
    gain = None if baseline is None else outcome - baseline
    min_gain, review_below = (patient_setting(program.patient, n) for n in ("VISA_A_MIN_GAIN", "VISA_A_REVIEW_BELOW"))
    short = (gain is not None and gain < min_gain) or outcome < review_below
    with transaction.atomic():
        review, created = OutcomeReview.objects.get_or_create(
            program=program, defaults={"baseline": baseline, "outcome": outcome, "review_due": short}
        )
        judged_now = OutcomeReview.objects.filter(pk=review.pk, outcome__isnull=True).update(
            baseline=baseline, outcome=outcome, review_due=short
        )  # decided before the outcome VISA-A came: judge it now, once
        if not created and not judged_now:
            return
        follow_ups_schedule(program=program)  # docs/clinical.md §11: asked at 6 and 12 months, decided or not
        # The outcome the missing-outcome flag waited for is here: that flag is done, not left to escalate.
        Flag.objects.open().filter(patient_id=program.patient_id, kind=FlagKind.MISSING_OUTCOME).update(
            status=FlagStatus.RESOLVED,
            resolved_at=timezone.now(),
            note=f"Resolved by the system: the outcome VISA-A ({outcome}) arrived and was reviewed.",
        )
        if short:
            flag_raise(
                patient=program.patient,
                kind=FlagKind.TREATMENT_REVIEW,
                level=FlagLevel.PHYSICIAN,
                reason=treatment_review_text(program, baseline, outcome),
            )


def _outcome_request(program: Program) -> Notification:
    return Notification(
        user=program.patient.user,
        kind=NotificationKind.INFO,
        title="How is your Achilles now?",
        body="Your 12-week program has ended. Please fill in the VISA-A questionnaire so your physio can review it.",
        push_text="Please fill in your end-of-program questionnaire.",
        dedupe_key=f"visa-a-request:{program.id}:after-end",
        patient=program.patient,
        url="/visa-a",
    )


ASK_TEXT = {
    "baseline": "Please fill in the VISA-A questionnaire today: it is where your progress is measured from.",
    "mid": "You are halfway through your program: please fill in the VISA-A questionnaire.",
    "outcome": "Your program ends in two weeks: please fill in the VISA-A questionnaire.",
}


def _ask_for_visa_a(active: list[Program], ctx: Context) -> None:
    """Day 1, week 6 and the start of the last 14 days: ask once per stage when no VISA-A answers it yet."""
    if not active:
        return
    dates: dict[int, list[dt.date]] = defaultdict(list)
    for pid, day in VisaA.objects.filter(patient_id__in={p.patient_id for p in active}).values_list(
        "patient_id", "date"
    ):
        dates[pid].append(day)
    asks = []
    for program in active:
        stage = visa_a_due(program, ctx.todays[program.id], dates[program.patient_id])
        if stage is not None:
            asks.append(
                Notification(
                    user=program.patient.user,
                    kind=NotificationKind.INFO,
                    title="VISA-A questionnaire",
                    body=ASK_TEXT[stage.name],
                    push_text="Please fill in your VISA-A questionnaire.",
                    dedupe_key=f"visa-a-request:{program.id}:{stage.name}",
                    patient=program.patient,
                    url="/visa-a",
                )
            )
    notify_many(asks)


def _escalate_unacknowledged(now: dt.datetime, patient_ids: list[int] | None) -> int:
    """docs/clinical.md §9: any physio-level flag open and unacknowledged for 7 days goes to the physician."""
    waited = dt.timedelta(days=settings.ESCALATE_UNACKNOWLEDGED_DAYS)
    stale = Flag.objects.filter(status=FlagStatus.OPEN, level=FlagLevel.PHYSIO, created_at__lte=now - waited)
    if patient_ids is not None:
        stale = stale.filter(patient_id__in=patient_ids)
    flags = list(stale.select_related("patient__user", "patient__physio", "patient__physician"))
    raises = [
        (
            f.patient,
            f.kind,
            FlagLevel.PHYSICIAN,
            f"physio-level flag unacknowledged for {(now - f.created_at).days} days",
        )
        for f in flags
    ]
    return flags_raise_many(raises, {(f.patient_id, f.kind): f for f in flags})


def _chase_red_flags(now: dt.datetime, patient_ids: list[int] | None) -> None:
    """A red flag nobody has acknowledged: the physician again every ``RED_FLAG_CHASE_HOURS``, and from
    ``RED_FLAG_ADMINS_AFTER_HOURS`` the admins of the patient's clinic too (and the install's), once a day.
    Each interval's notice has its own dedupe key, so an hourly (or repeated) run sends it once; acknowledging
    the flag stops the chase."""
    every = dt.timedelta(hours=settings.RED_FLAG_CHASE_HOURS)
    waiting = Flag.objects.filter(status=FlagStatus.OPEN, kind=FlagKind.RED_FLAG, created_at__lte=now - every)
    if patient_ids is not None:
        waiting = waiting.filter(patient_id__in=patient_ids)
    flags = list(waiting.select_related("patient__user", "patient__physician"))
    if not flags:
        return
    admins_after = dt.timedelta(hours=settings.RED_FLAG_ADMINS_AFTER_HOURS)
    admins = list(User.objects.filter(role=Role.ADMIN, is_active=True).prefetch_related("memberships")) if any(
        now - f.created_at >= admins_after for f in flags
    ) else []  # fmt: skip
    # the admins of the patient's clinic, and the install's admins who belong to no clinic
    clinics_of = {admin.id: {m.clinic_id for m in admin.memberships.all()} for admin in admins}
    chase = []
    for flag in flags:
        waited = now - flag.created_at
        hours = int(waited.total_seconds() // 3600)
        recipients = [(flag.patient.physician, f"{waited // every}")]
        if waited >= admins_after:
            day = (waited - admins_after) // dt.timedelta(days=1)
            recipients += [
                (admin, f"admin{day}")
                for admin in admins
                if not clinics_of[admin.id] or flag.patient.clinic_id in clinics_of[admin.id]
            ]
        chase += [
            Notification(
                user=user,
                kind=NotificationKind.FLAG,
                title=f"Red flag not acknowledged for {hours} hours",
                body=f"{flag.reason}\n\nNobody has acknowledged this red flag yet: please act on it now.",
                push_text="A red flag is waiting for you in Rehab Tracker.",
                dedupe_key=f"flag:{flag.id}:chase:{interval}:{user.id}",
                patient=flag.patient,
                flag=flag,
                url=f"/patients/{flag.patient_id}/",
            )
            for user, interval in recipients
        ]
    notify_many(chase)


def _long_pauses(paused: list[Program], ctx: Context) -> None:
    """A pause never completes a program: its days are made up after it ends (the end date moves), so a
    program kept paused waits for its clinician. The physio is told when a pause has lasted
    ``LONG_PAUSE_DAYS``, and again each time as long again: resume it, or stop it to close the episode."""
    every = settings.LONG_PAUSE_DAYS
    notices = []
    for program in paused:
        pause = program.open_pause
        if pause is None:
            continue
        days = (ctx.todays[program.id] - pause.start_date).days
        if days < every:
            continue
        notices.append(
            Notification(
                user=program.patient.physio,
                kind=NotificationKind.INFO,
                title=f"Program paused for {days} days",
                body=f"A patient's program has been paused since {pause.start_date}. Its remaining days wait for "
                "it: resume the program, or stop it to close this episode of care.",
                push_text="A paused program needs your decision in Rehab Tracker.",
                dedupe_key=f"long-pause:{pause.id}:{days // every}",
                patient=program.patient,
                url=f"/patients/{program.patient_id}/",
            )
        )
    notify_many(notices)
