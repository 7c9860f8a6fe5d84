"""Notifications and their channel deliveries.

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

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from patients.clinics import clinic_of_user, public_url
from patients.models import Patient, Role, User

from . import channels
from .models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Flag,
    FlagKind,
    Notification,
    PushSubscription,
)

log = logging.getLogger(__name__)
SEND_DELIVERY = "notifications.tasks.send_delivery"
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
    ids = notify_many(
        [Notification(user=user, kind=kind, title=title, body=body, push_text=push_text, dedupe_key=dedupe_key,
                      patient=patient, flag=flag, url=url)]
    )  # fmt: skip
    return Notification.objects.get(dedupe_key=dedupe_key), ids


def notify_many(notifications: list[Notification]) -> list[int]:
    """``notify`` for many at once (unsaved Notification rows), in a fixed number of queries: each is created
    once by its ``dedupe_key`` with its deliveries, which are dispatched after commit. Returns the new
    deliveries' ids."""
    if not notifications:
        return []
    keys = [n.dedupe_key for n in notifications]
    with transaction.atomic():
        held = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
        fresh = [n for n in notifications if n.dedupe_key not in held]
        if not fresh:
            return []
        Notification.objects.bulk_create(fresh, ignore_conflicts=True)  # a racing writer's row wins
        stored = list(Notification.objects.filter(dedupe_key__in=[n.dedupe_key for n in fresh]).select_related("user"))
        subscriptions: dict[int, list[int]] = {}
        if channels.webpush_enabled():
            users = {n.user_id for n in stored}
            for user_id, sub_id in PushSubscription.objects.filter(user_id__in=users).values_list("user_id", "id"):
                subscriptions.setdefault(user_id, []).append(sub_id)
        deliveries = [
            Delivery(notification=n, channel=Channel.WEBPUSH, target=str(sub_id))
            for n in stored
            for sub_id in subscriptions.get(n.user_id, [])
        ]
        deliveries += [
            Delivery(notification=n, channel=Channel.EMAIL, target=n.user.email) for n in stored if n.user.email
        ]
        if not deliveries:
            return []
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        alert_keys = {n.dedupe_key for n in fresh if is_alert(n)}
        pending = Delivery.objects.filter(notification__in=stored, status=DeliveryStatus.PENDING, attempts=0)
        rows = list(pending.values_list("id", "notification__dedupe_key"))
        ids = [delivery_id for delivery_id, _ in rows]
        dispatch_deliveries(ids, alerts={delivery_id for delivery_id, key in rows if key in alert_keys})
    return ids


def is_alert(notification: Notification) -> bool:
    """A red flag's notification: it goes out first (its own queue) and tells the push service so (Urgency)."""
    return notification.flag_id is not None and notification.flag.kind == FlagKind.RED_FLAG


_inline = contextvars.ContextVar("inline_delivery", default=False)


@contextmanager
def inline_delivery():
    """Send deliveries in this process (management commands run with no worker)."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


def dispatch_deliveries(ids: list[int], alerts: set[int] = frozenset()) -> None:
    """After commit: hand each delivery to a worker, or send it here inside ``inline_delivery()``. ``alerts``
    (red flags) go on their own queue, which a worker of its own serves: they never wait behind an evaluation
    or a reminder sweep."""
    if not ids:
        return
    if _inline.get():
        transaction.on_commit(lambda: [send_inline(i) for i in ids])
    else:
        transaction.on_commit(lambda: _queue(ids, alerts))


def _queue(ids: list[int], alerts: set[int] = frozenset()) -> None:
    """Queue each delivery on the broker; with the broker down they stay pending in the database, where the
    stale-delivery sweep finds them once it is back, and the request that caused them does not fail or hang."""
    try:
        for delivery_id in ids:  # by name: this module is below the tasks module that calls it
            queue = settings.CELERY_ALERTS_QUEUE if delivery_id in alerts else settings.CELERY_TASK_DEFAULT_QUEUE
            current_app.send_task(SEND_DELIVERY, args=[delivery_id], queue=queue)
    except (OperationalError, OSError) as exc:
        log.warning(
            "broker unreachable: %d deliveries left pending for the retry sweep (%s)", len(ids), type(exc).__name__
        )


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


def email_message(notification: Notification) -> dict:
    """What an e-mail says: no name and no clinical detail (mail is read on shared screens, forwarded, and
    kept by mail providers), only that there is something to see and the link to it. The in-app notification,
    behind the sign-in, has the rest. The link goes to the clinic's own address and the mail is signed with
    its name (the patient's clinic; else the recipient's)."""
    clinic = notification.patient.clinic if notification.patient_id else clinic_of_user(notification.user)
    link = public_url(clinic) + (notification.url or "/")
    if notification.user.role == Role.PATIENT:
        # The patient's own: the lock-screen text, written to say no more than that.
        subject, text = "Rehab Tracker: a message for you", notification.push_text
    else:
        subject, text = "Rehab Tracker: a patient needs your attention", "A patient needs your attention."
    signed = f"\n-- \n{clinic.name}" + (f", {clinic.contact_phone}" if clinic.contact_phone else "") if clinic else ""
    return {"subject": subject, "body": f"{text}\n\nOpen Rehab Tracker to see it: {link}\n{signed}"}


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery. Raises RetryableChannelError (delivery left pending) for the caller to retry."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "not-claimed"
    delivery = Delivery.objects.select_related("notification__user", "notification__flag").get(id=delivery_id)
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
                urgency="high" if is_alert(notification) else "normal",
            )  # fmt: skip
        else:
            channels.send_email(to=delivery.target, **email_message(notification))
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
