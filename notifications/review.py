"""The treatment review put in front of the physician at the end of week 12 (docs/clinical.md §1, §6, §9).

The software never decides the next step; it lays out the VISA-A course, the
program's reps-weighted adherence and pain course, the variant, and the next
steps of the care pathway with their evidence. The follow-up VISA-A times (§11) are stored once the outcome is
judged or the review decided, whichever comes first.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings

from core.localtime import zone
from exercises.adherence import adherence_for_programs
from exercises.aggregates import mean_pain
from exercises.models import Program
from patients.clinics import patient_setting

from .models import FollowUp

RETROCALCANEAL = (
    "Injection: corticosteroid into the retrocalcaneal bursa, never into the tendon; or an orthobiologic such as "
    "platelet-rich plasma (PRP)."
)
FAT_PAD = (
    "Injection: corticosteroid into the fat pad (Kager's fat pad), never into the tendon; or an orthobiologic such "
    "as platelet-rich plasma (PRP)."
)
PRP_EVIDENCE = (
    "Two randomised trials found PRP no better than a placebo injection in chronic mid-portion tendinopathy "
    "(de Vos et al., JAMA 2010;303:144; Kearney et al., JAMA 2021;326:137)."
)
ESWT = (
    "Shockwave therapy (ESWT) is listed among options by the clinical practice guideline (Martin et al., "
    "J Orthop Sports Phys Ther 2018;48:A1)"
)
ESWT_INSERTIONAL = (
    " and was studied with eccentric loading in insertional tendinopathy (Rompe et al., J Bone Joint Surg Am "
    "2008;90:52)"
)
SURGERY = "Then Tenex (percutaneous tenotomy) or tendon scraping; then surgical tendon repair."


def treatment_review_text(program: Program, baseline: int | None, outcome: int) -> str:
    insertional = program.patient.tendinopathy == "insertional"
    min_gain, review_below, adherent = (
        patient_setting(program.patient, name)
        for name in ("VISA_A_MIN_GAIN", "VISA_A_REVIEW_BELOW", "ADHERENT_PROGRAM_AT_LEAST")
    )
    variant = "insertional" if insertional else "mid-portion"
    lines = [f"Treatment review: {variant} Achilles tendinopathy, {program.protocol} program "
             f"{program.start_date} to {program.end_date}."]  # fmt: skip
    if baseline is None:
        lines.append(f"VISA-A at the end of week 12: {outcome} (no baseline VISA-A in the program's first 14 days).")
    else:
        lines.append(
            f"VISA-A {baseline} → {outcome} ({outcome - baseline:+d} points; minimal important change "
            f"{min_gain}, Rabusin et al., Br J Sports Med 2021;55:486)."
        )
    why = []
    if baseline is not None and outcome - baseline < min_gain:
        why.append(f"an improvement below {min_gain} points")
    if outcome < review_below:
        why.append(f"a final score below {review_below}")
    lines.append("The exercise program has not done enough: " + " and ".join(why) + ".")
    adherence = adherence_for_programs([program], date_from=program.start_date, date_to=program.end_date)[program.id]
    if adherence.overall is not None:
        lines.append(
            f"Adherence over the program: {round(adherence.overall * 100)}% of the prescribed sets (reps-weighted)."
        )
    early, late = mean_pain(program.id, (1, 2)), mean_pain(program.id, (11, 12))
    if early is not None or late is not None:
        fmt = lambda v: "no sets" if v is None else f"{v}/10"  # noqa: E731
        lines.append(f"Mean exercise pain: weeks 1–2 {fmt(early)}, weeks 11–12 {fmt(late)}.")
    lines.append("Next steps of the care pathway to consider (the software does not decide):")
    steps = []
    if adherence.overall is not None and adherence.overall < adherent:
        steps.append(
            f"Adherence was below {round(adherent * 100)}%: an under-dosed program is the "
            "likelier reason, so a supervised repeat of the loading program comes first (Bailey et al., "
            "Br J Sports Med 2020;54:326)."
        )
    steps.append(f"{RETROCALCANEAL if insertional else FAT_PAD} {PRP_EVIDENCE}")
    steps.append(ESWT + (ESWT_INSERTIONAL if insertional else "") + ".")
    steps.append(SURGERY)
    return "\n".join(lines + [f"{n}. {step}" for n, step in enumerate(steps, start=1)])


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def follow_ups_schedule(*, program: Program) -> list[FollowUp]:
    """The follow-up VISA-A due times (FOLLOW_UP_MONTHS after the start, at FOLLOW_UP_REMIND_AT local), once."""
    tz = zone(program.patient.timezone)
    at = dt.time.fromisoformat(settings.FOLLOW_UP_REMIND_AT)
    rows = []
    for months in settings.FOLLOW_UP_MONTHS:
        due_on = _add_months(program.start_date, months)
        due_at = dt.datetime.combine(due_on, at, tzinfo=tz).astimezone(dt.UTC)
        rows.append(FollowUp(program=program, months=months, due_on=due_on, due_at=due_at))
    FollowUp.objects.bulk_create(rows, ignore_conflicts=True)
    return list(FollowUp.objects.filter(program=program))
