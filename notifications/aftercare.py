"""After week 12 (docs/clinical.md §11): the review's decision reaching the patient, the follow-up VISA-A at 6
and 12 months (stored due times swept by beat), and the pain rules of the return-to-running progression.

What the patient is told arrives in the app (the decision note) and, by push and e-mail, only as "there is a
message for you" (``deliveries.email_message``): the note itself stays behind the sign-in.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.localtime import local_today
from exercises.models import AfterCare, NextStep, Program, RunLog
from exercises.running import judge_run
from exercises.services import aftercare_choose
from patients.models import Patient, User, VisaA

from .deliveries import notify, notify_many
from .flags import flag_raise
from .models import FlagKind, FlagLevel, FollowUp, Notification, NotificationKind, OutcomeReview
from .review import follow_ups_schedule


class ReviewError(Exception):
    """A decision the program's state does not allow (a 400 with this message)."""


DECIDED_PUSH = "Your physio has written to you about what comes next. Open the app to read it."


def outcome_review_decide(
    *,
    program: Program,
    decided_by: User,
    next_state: str,
    patient_note: str,
    clinical_note: str = "",
    referral: str = "",
    referral_note: str = "",
) -> OutcomeReview:
    """The clinician's decision at the end of the 12 weeks: what comes next (the §11 states), a note for the
    patient (shown in the app and announced by a notification) apart from the clinical note, and the
    follow-up VISA-A times. Deciding again replaces the decision and tells the patient again."""
    today = local_today(program.patient.timezone)
    if today < program.end_date - dt.timedelta(days=13) or program.status == "stopped":
        raise ReviewError("The review is decided from the program's last 14 days on.")
    if next_state == NextStep.REFERRED and not referral:
        raise ReviewError("Referred on names the next step of the care pathway.")
    now = timezone.now()
    with transaction.atomic():
        OutcomeReview.objects.bulk_create([OutcomeReview(program=program)], ignore_conflicts=True)  # once, race-free
        review = OutcomeReview.objects.select_for_update(no_key=True).get(program=program)
        review.patient_note, review.clinical_note = patient_note, clinical_note
        review.decided_by, review.decided_at = decided_by, now
        review.save(update_fields=["patient_note", "clinical_note", "decided_by", "decided_at"])
        aftercare_choose(program=program, state=next_state, chosen_by=decided_by, today=today, referral=referral,
                         referral_note=referral_note)  # fmt: skip
        follow_ups_schedule(program=program)
        notify(
            user=program.patient.user,
            kind=NotificationKind.INFO,
            title="Your review: what comes next",
            body=patient_note,
            push_text=DECIDED_PUSH,
            dedupe_key=f"review-decision:{review.id}:{now.timestamp()}",
            patient=program.patient,
            url="/today",
        )
    return review


def running_judge(*, log: RunLog) -> bool:
    """A session that broke the pain rules holds the step (``running.progress``) and tells the physio with a
    pain flag; judged when the session's numbers change, never again from the same ones. True if flagged."""
    earlier = list(RunLog.objects.filter(aftercare_id=log.aftercare_id, date__lte=log.date).exclude(pk=log.pk))
    verdict = judge_run(log, earlier)
    if verdict.ok is not False:
        return False
    _, changed = flag_raise(
        patient=log.patient,
        kind=FlagKind.PAIN,
        level=FlagLevel.PHYSIO,
        reason=f"Return to running, step {log.step} ({log.minutes_run} min run) on {log.date}: {verdict.reason}. "
        "The step is held.",
    )
    return changed


FOLLOW_UP_PUSH = "Time for your follow-up questionnaire. Open the app to answer it."


def follow_ups_sweep(*, now: dt.datetime | None = None) -> int:
    """Beat: remind each due follow-up once (claimed by a conditional update), then judge the answered ones."""
    now = now or timezone.now()
    due = list(FollowUp.objects.filter(reminded_at__isnull=True, due_at__lte=now).values_list("id", flat=True))
    sent = []
    for row_id in due:
        if FollowUp.objects.filter(id=row_id, reminded_at__isnull=True).update(reminded_at=now) != 1:
            continue  # another sweep has it
        follow_up = FollowUp.objects.select_related("program__patient__user").get(id=row_id)
        patient = follow_up.program.patient
        sent.append(Notification(
            user=patient.user, kind=NotificationKind.REMINDER, title=f"{follow_up.months}-month follow-up",
            body="Please answer the VISA-A questionnaire: it shows your physio how your tendon is doing.",
            push_text=FOLLOW_UP_PUSH, dedupe_key=f"follow-up:{follow_up.id}", patient=patient, url="/visa-a",
        ))  # fmt: skip
    notify_many(sent)
    return len(sent) + follow_ups_judge(now=now)


def follow_up_pending(follow_up: FollowUp, today: dt.date) -> bool:
    """Asked in the app from its day until FOLLOW_UP_WINDOW_DAYS later, until answered."""
    return follow_up.judged_at is None and follow_up.due_on <= today <= _window_end(follow_up)


def _window_end(follow_up: FollowUp) -> dt.date:
    return follow_up.due_on + dt.timedelta(days=settings.FOLLOW_UP_WINDOW_DAYS)


def follow_ups_judge(*, now: dt.datetime) -> int:
    """A follow-up VISA-A FOLLOW_UP_FALL_POINTS or more below the week-12 outcome flags the physio (once)."""
    open_rows = FollowUp.objects.filter(judged_at__isnull=True, due_on__lte=now.date() + dt.timedelta(days=1))
    flagged = 0
    for follow_up in open_rows.select_related("program__patient", "program__outcome_review"):
        patient: Patient = follow_up.program.patient
        visa = (
            VisaA.objects.filter(patient=patient, date__gte=follow_up.due_on, date__lte=_window_end(follow_up))
            .order_by("date", "id")
            .first()
        )
        if visa is None:
            continue
        if (
            FollowUp.objects.filter(id=follow_up.id, judged_at__isnull=True).update(judged_at=now, score=visa.score)
            != 1
        ):
            continue
        review = getattr(follow_up.program, "outcome_review", None)
        week12 = review.outcome if review else None
        if week12 is not None and week12 - visa.score >= settings.FOLLOW_UP_FALL_POINTS:
            flag_raise(
                patient=patient,
                kind=FlagKind.FOLLOW_UP_DECLINE,
                level=FlagLevel.PHYSIO,
                reason=f"{follow_up.months}-month follow-up VISA-A {visa.score} on {visa.date}: "
                f"{week12 - visa.score} points below the week-12 score {week12} (a fall of "
                f"{settings.FOLLOW_UP_FALL_POINTS} or more; minimal important change, Rabusin et al. 2021).",
            )
            flagged += 1
    return flagged


def aftercare_of(program: Program | None) -> AfterCare | None:
    if program is None:
        return None
    return AfterCare.objects.filter(program=program).select_related("gate").first()
