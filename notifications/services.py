"""Notifications and their deliveries; flags and the actions on them.

A Notification row is saved before any transport is called (in-app delivery is
that row); each further channel is a Delivery row claimed with a conditional
UPDATE, so retries, redeliveries and racing workers send it at most once per
claim, and a crashed claim is retried after it goes stale.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from exercises.models import CURRENT_STATUSES, ProgramStatus
from exercises.selectors import current_program
from exercises.services import program_hold, program_update
from patients.models import CheckIn, Patient, User
from patients.red_flags import advice_for, describe

from . import channels
from .models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Flag,
    FlagKind,
    FlagLevel,
    FlagStatus,
    Notification,
    NotificationKind,
    PushSubscription,
    RedFlagOutcome,
    RedFlagReport,
)

log = logging.getLogger(__name__)
STALE_CLAIM = dt.timedelta(minutes=5)


def notify(
    *,
    user: User,
    kind: str,
    title: str,
    body: str,
    push_text: str,
    dedupe_key: str,
    patient: Patient | None = None,
    flag: Flag | None = None,
    url: str = "",
) -> tuple[Notification, list[int]]:
    """Create the notification once (by ``dedupe_key``) with its deliveries; return it and new delivery ids."""
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            dedupe_key=dedupe_key,
            defaults={"user": user, "kind": kind, "title": title, "body": body, "push_text": push_text,
                      "patient": patient, "flag": flag, "url": url},
        )  # fmt: skip
        if not created:
            return notification, []
        subscriptions = PushSubscription.objects.filter(user=user) if channels.webpush_enabled() else []
        deliveries = [
            Delivery(notification=notification, channel=Channel.WEBPUSH, target=str(sub.id)) for sub in subscriptions
        ]
        if user.email:
            deliveries.append(Delivery(notification=notification, channel=Channel.EMAIL, target=user.email))
        Delivery.objects.bulk_create(deliveries)
        ids = [d.id for d in deliveries]
        dispatch_deliveries(ids)
    return notification, ids


_inline = contextvars.ContextVar("inline_delivery", default=False)


@contextmanager
def inline_delivery():
    """Send deliveries in this process (management commands run with no worker)."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


def dispatch_deliveries(ids: list[int]) -> None:
    """After commit: hand each delivery to a worker, or send it here inside ``inline_delivery()``."""
    if not ids:
        return
    if _inline.get():
        transaction.on_commit(lambda: [send_inline(i) for i in ids])
    else:
        from .tasks import send_delivery

        transaction.on_commit(lambda: [send_delivery.delay(i) for i in ids])


def send_inline(delivery_id: int) -> None:
    """Send one delivery here; a retryable failure leaves it pending for the retry sweep."""
    try:
        delivery_send(delivery_id=delivery_id)
    except channels.RetryableChannelError:
        log.info("delivery %s left pending for the retry sweep", delivery_id)


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    """Take a pending (or stale) delivery for this attempt; False when someone else has it or it is done."""
    claimable = Q(status=DeliveryStatus.PENDING) | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return bool(
        Delivery.objects.filter(claimable, id=delivery_id).update(
            status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery. Raises RetryableChannelError (delivery left pending) for the caller to retry."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "not-claimed"
    delivery = Delivery.objects.select_related("notification__user").get(id=delivery_id)
    notification = delivery.notification
    try:
        if delivery.channel == Channel.WEBPUSH:
            subscription = PushSubscription.objects.filter(id=int(delivery.target)).first()
            if subscription is None:
                raise channels.SubscriptionGone("deleted")
            channels.send_webpush(
                endpoint=subscription.endpoint,
                p256dh=subscription.p256dh,
                auth=subscription.auth,
                payload={"title": "Rehab Tracker", "body": notification.push_text, "url": notification.url,
                         "notification": notification.id},
            )  # fmt: skip
        else:
            channels.send_email(to=delivery.target, subject=notification.title, body=notification.body)
    except channels.SubscriptionGone as exc:
        PushSubscription.objects.filter(id=int(delivery.target)).delete()
        _finish(delivery, DeliveryStatus.GONE, str(exc))
        return DeliveryStatus.GONE
    except channels.RetryableChannelError as exc:
        final = delivery.attempts >= settings.CHANNEL_MAX_ATTEMPTS
        _finish(delivery, DeliveryStatus.FAILED if final else DeliveryStatus.PENDING, str(exc))
        if final:
            return DeliveryStatus.FAILED
        raise
    except Exception as exc:  # a permanent channel error: record it, do not retry
        log.warning("delivery %s failed permanently: %s", delivery_id, type(exc).__name__)
        _finish(delivery, DeliveryStatus.FAILED, f"{type(exc).__name__}: {exc}"[:300])
        return DeliveryStatus.FAILED
    _finish(delivery, DeliveryStatus.SENT, "")
    return DeliveryStatus.SENT


def _finish(delivery: Delivery, status: str, error: str) -> None:
    Delivery.objects.filter(id=delivery.id, status=DeliveryStatus.SENDING).update(
        status=status, last_error=error[:300], sent_at=timezone.now() if status == DeliveryStatus.SENT else None
    )


def stale_delivery_ids(now: dt.datetime) -> list[int]:
    """Deliveries whose task was lost (pending for a while) or whose claim went stale."""
    return list(
        Delivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, created_at__lt=now - dt.timedelta(minutes=2))
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)
        ).values_list("id", flat=True)[:5000]
    )


# Flags -------------------------------------------------------------------------------------------

LEVEL_RANK = {FlagLevel.PHYSIO: 1, FlagLevel.PHYSICIAN: 2}
FLAG_TITLES = {
    FlagKind.NON_ADHERENCE: "Not keeping up with the exercises",
    FlagKind.PAIN: "Pain above the safe limit",
    FlagKind.RED_FLAG: "Red flag reported — act now",
    FlagKind.CLINICAL_REVIEW: "Morning stiffness: clinical review",
    FlagKind.TREATMENT_REVIEW: "Treatment review due",
    FlagKind.MISSING_OUTCOME: "VISA-A outcome missing",
}


def flag_raise(*, patient: Patient, kind: str, level: str, reason: str) -> tuple[Flag, bool]:
    """Open a flag, or raise the level of the open one; notify recipients of a new flag or level once.

    Returns the flag and whether anything changed.
    """
    with transaction.atomic():
        flag = Flag.objects.select_for_update().filter(patient=patient, kind=kind).exclude(status="resolved").first()
        if flag is None:
            try:
                with transaction.atomic():
                    flag = Flag.objects.create(patient=patient, kind=kind, level=level, reason=reason)
            except IntegrityError:  # a racing evaluation opened it first
                return Flag.objects.filter(patient=patient, kind=kind).exclude(status="resolved").get(), False
        elif LEVEL_RANK[level] > LEVEL_RANK[flag.level]:
            flag.level, flag.reason = level, f"{flag.reason}\nEscalated: {reason}"
            flag.save(update_fields=["level", "reason"])
        else:
            return flag, False
        _notify_flag(flag)
    return flag, True


def _notify_flag(flag: Flag, *, event: str = "") -> None:
    """Tell the flag's recipients once per flag, level and ``event`` (a further red-flag check-in)."""
    patient = flag.patient
    recipients = [patient.physio]
    if flag.level == FlagLevel.PHYSICIAN:
        recipients = [patient.physician, patient.physio]  # the physio stays informed
    for user in recipients:
        notify(
            user=user,
            kind=NotificationKind.FLAG,
            title=f"{FLAG_TITLES[flag.kind]}: {patient.user.username}",
            body=flag.reason,
            push_text="A patient needs your attention in Rehab Tracker.",
            dedupe_key=f"flag:{flag.id}:{flag.level}:{event}{user.id}",
            patient=patient,
            flag=flag,
            url=f"/patients/{patient.id}/",
        )


def red_flag_report(*, checkin: CheckIn) -> Flag | None:
    """CLINICAL.md §8, whatever the program's state: the physician at once, the physio informed, exercises held.

    A further red-flag check-in while the flag is unresolved adds to its reason and notifies again. Each
    check-in is reported once (a RedFlagReport row), so the request and the evaluation may both call this.
    """
    if not checkin.red_flags:
        return None
    patient = checkin.patient
    reason = f"Check-in of {checkin.date} reports: {describe(checkin.red_flags)}."
    with transaction.atomic():
        if RedFlagReport.objects.filter(checkin=checkin).exists():
            return None
        flag, opened = flag_raise(patient=patient, kind=FlagKind.RED_FLAG, level=FlagLevel.PHYSICIAN, reason=reason)
        if not opened:  # a red flag is open already: add this check-in and tell the physician again
            flag = Flag.objects.select_for_update().get(pk=flag.pk)
            flag.reason = f"{flag.reason}\nFurther: {reason}"
            flag.save(update_fields=["reason"])
            _notify_flag(flag, event=f"checkin{checkin.id}:")
        RedFlagReport.objects.create(flag=flag, checkin=checkin)
        program = current_program(patient)
        if program is not None:
            program_hold(program=program)
        _tell_patient_to_stop(flag, checkin)
    return flag


def _tell_patient_to_stop(flag: Flag, checkin: CheckIn) -> None:
    advice = advice_for(checkin.red_flags)
    notify(
        user=flag.patient.user,
        kind=NotificationKind.INFO,
        title=advice[0].title if advice else "Please stop your exercises",
        body="\n\n".join(a.text for a in advice)
        + "\n\nYour exercises and reminders are on hold until a clinician has looked at this.",
        push_text="Please open Rehab Tracker: important advice about your exercises.",
        dedupe_key=f"red-flag-advice:{checkin.id}",
        patient=flag.patient,
        url="/today",
    )


class FlagActionError(Exception):
    """A flag action that is not allowed now (a 400 with ``field`` and this message)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def flag_act(*, flag: Flag, user: User, action: str, note: str, outcome: str = "") -> Flag:
    """Acknowledge or resolve a flag, recording who, when and the note.

    Resolving needs a note; resolving a red flag also an ``outcome`` that the program follows (CLINICAL.md §8).
    """
    note = note.strip()
    if action == "resolve" and not note:
        raise FlagActionError("note", "Resolving a flag needs a note saying what was decided.")
    with transaction.atomic():
        flag = Flag.objects.select_for_update().select_related("patient").get(pk=flag.pk)
        now = timezone.now()
        if flag.status == FlagStatus.RESOLVED:
            raise FlagActionError("status", "This flag is already resolved.")
        if action == "acknowledge":
            if flag.status == FlagStatus.ACKNOWLEDGED:
                raise FlagActionError("status", "This flag is already acknowledged.")
            flag.status, flag.acknowledged_by, flag.acknowledged_at = FlagStatus.ACKNOWLEDGED, user, now
        else:
            if flag.kind == FlagKind.RED_FLAG:
                if outcome not in RedFlagOutcome.values:
                    raise FlagActionError("outcome", "Say what the program does now: resume, keep_paused or stop.")
                _program_follows(flag.patient, outcome, user)
                flag.outcome = outcome
            flag.status, flag.resolved_by, flag.resolved_at = FlagStatus.RESOLVED, user, now
            if not flag.acknowledged_at:
                flag.acknowledged_by, flag.acknowledged_at = user, now
        if note:
            flag.note = f"{flag.note}\n{note}".strip()
        flag.save()
    return flag


def _program_follows(patient: Patient, outcome: str, user: User) -> None:
    program = current_program(patient)
    if program is None or program.status not in CURRENT_STATUSES:
        return
    status = {
        RedFlagOutcome.RESUME: ProgramStatus.ACTIVE,
        RedFlagOutcome.KEEP_PAUSED: ProgramStatus.PAUSED,
        RedFlagOutcome.STOP: ProgramStatus.STOPPED,
    }[outcome]
    if status != program.status:
        program_update(program=program, changed_by=user, status=status)
