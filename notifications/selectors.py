"""Reads of flags for the apps above (caseload, admin, today, export)."""

import datetime as dt

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Flag, FlagKind, RedFlagOutcome

# How long Today shows the decision on a red flag after it was made: the patient may open the app days later.
DECISION_SHOWN_DAYS = 14


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


# docs/clinical.md §8: what the patient does now, by the clinician's outcome on their red flag.
DECISION_TEXTS = {
    RedFlagOutcome.RESUME: (
        "You can start your exercises again",
        "Your clinician has looked at the warning sign you reported and decided that you can go on with your "
        "program. Start again at the load you used before. If a warning sign comes back, stop and report it "
        "in the morning check-in.",
    ),
    RedFlagOutcome.KEEP_PAUSED: (
        "Your exercises stay paused for now",
        "Your clinician has looked at the warning sign you reported and decided to keep your program paused. "
        "Do not do the exercises until your clinic tells you to start again.",
    ),
    RedFlagOutcome.STOP: (
        "Your exercise program has stopped",
        "Your clinician has looked at the warning sign you reported and stopped your exercise program: your "
        "care goes on with another step. Your clinic will contact you about what comes next.",
    ),
}


def decision_text(flag: Flag) -> tuple[str, str]:
    """A resolved red flag as the patient reads it: a title, and what to do now with the clinician's note."""
    title, text = DECISION_TEXTS[flag.outcome]
    if flag.patient_note:
        text = f"{text}\n\nFrom your clinician: {flag.patient_note}"
    return title, text


def red_flag_decision(*, patient) -> dict | None:
    """The decision on the patient's latest red flag, while it is recent and no other red flag is open:
    ``{outcome, title, text, note, resolved_at}`` as Today shows it (docs/clinical.md §8), else None."""
    since = timezone.now() - dt.timedelta(days=DECISION_SHOWN_DAYS)
    flag = Flag.objects.filter(patient=patient, kind=FlagKind.RED_FLAG).order_by("-created_at", "-id").first()
    if flag is None or flag.resolved_at is None or flag.resolved_at < since or not flag.outcome:
        return None
    title, text = decision_text(flag)
    return {"outcome": flag.outcome, "title": title, "text": text, "note": flag.patient_note,
            "resolved_at": flag.resolved_at}  # fmt: skip
