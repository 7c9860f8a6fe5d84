"""Writes: messages (exactly once by ``client_id``), read receipts, the clinicians' time log and the retention
purge. A message notifies its readers with no text (docs/clinical.md §13)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from core.localtime import local_today
from core.roles import Role, role_of
from notifications.deliveries import notify_many
from notifications.models import Notification, NotificationKind
from patients.models import Clinic, Patient, User
from patients.red_flags import contact_texts

from .clinic import clinic_settings
from .models import AuthorRole, Message, MessageKind, MessageRead, TimeEntry

PATIENT_PUSH = "New message from your clinic"  # the lock screen shows this and nothing of the message
CLINICIAN_PUSH = "A patient sent a message"


@dataclass(frozen=True)
class SendOutcome:
    status: str  # "created", "duplicate" (the same client_id and body again) or "conflict"
    message: Message | None
    notice: Message | None = None  # the automatic out-of-hours notice this message caused


def message_send(
    *, patient: Patient, author: User, body: str, client_id: uuid.UUID | None = None, now: dt.datetime | None = None
) -> SendOutcome:
    """Store ``author``'s message in ``patient``'s conversation, once: a resend with the same ``client_id``
    answers the stored message. The other side is notified after commit; a patient writing outside opening
    hours gets the automatic notice (at most one per ``OUT_OF_HOURS_NOTICE_EVERY_HOURS``)."""
    now = now or timezone.now()
    role = role_of(author)
    message = Message(patient=patient, author=author, role=role, body=body, client_id=client_id or uuid.uuid4())
    try:
        with transaction.atomic():
            message.save()
            notice = _out_of_hours_notice(patient, now) if role == Role.PATIENT else None
            _notify(message)
    except IntegrityError:  # this client id is stored already: a resend, or a racing request
        existing = Message.objects.filter(client_id=message.client_id).first()
        if existing is None:
            raise
        same = existing.patient_id == patient.id and existing.author_id == author.id and existing.body == body
        return SendOutcome("duplicate", existing) if same else SendOutcome("conflict", None)
    return SendOutcome("created", message, notice)


def _out_of_hours_notice(patient: Patient, now: dt.datetime) -> Message | None:
    clinic = clinic_settings(patient.clinic)
    if clinic.is_open(now):
        return None
    recent = now - dt.timedelta(hours=settings.OUT_OF_HOURS_NOTICE_EVERY_HOURS)
    if Message.objects.filter(patient=patient, kind=MessageKind.OUT_OF_HOURS, created_at__gte=recent).exists():
        return None
    return Message.objects.create(
        patient=patient, author=None, role=AuthorRole.CLINIC, kind=MessageKind.OUT_OF_HOURS,
        body=out_of_hours_text(patient.clinic), client_id=uuid.uuid4(),
    )  # fmt: skip


def out_of_hours_text(where: Clinic | None = None) -> str:
    """The automatic notice (stored in English for the record; the app shows it in the patient's language)."""
    clinic = clinic_settings(where)
    with override("en"):
        call, urgent = contact_texts(where)
    return (
        f"The clinic is closed now; we usually reply within {clinic.reply_within_hours} hours of opening. "
        "Anything urgent — a pop in the tendon, you cannot do a heel raise, swelling or redness with fever — "
        "do not wait for a reply: answer the red-flag questions of the check-in and call "
        f"{call}; if it is closed, {urgent}."
    )


def _notify(message: Message) -> None:
    """In-app, Web Push and e-mail for the other side, none of which carries the text."""
    patient = message.patient
    if message.role == Role.PATIENT:
        readers = [u for u in (patient.physio, patient.physician) if u is not None]
        title, push, url = "New message", CLINICIAN_PUSH, f"/patients/{patient.id}"
    else:
        readers, title, push, url = [patient.user], "New message", PATIENT_PUSH, "/messages"
    notify_many(
        [Notification(user=user, kind=NotificationKind.INFO, title=title, body=push, push_text=push, url=url,
                      dedupe_key=f"message:{message.id}:{user.id}", patient=patient)
         for user in readers]
    )  # fmt: skip


def message_mark_read(*, message: Message, user: User) -> Message:
    """``user`` has read ``message`` (once; the first time counts). An author's own message needs no receipt."""
    if message.author_id != user.id:
        MessageRead.objects.bulk_create([MessageRead(message=message, user=user)], ignore_conflicts=True)
    return message


def time_entry_create(
    *, patient: Patient, clinician: User, activity: str, minutes: int, started_at: dt.datetime, note: str = ""
) -> TimeEntry:
    """Log ``minutes`` of ``activity`` on ``patient``, dated the patient-local day it started."""
    return TimeEntry.objects.create(
        patient=patient, clinician=clinician, activity=activity, minutes=minutes, started_at=started_at,
        date=local_today(patient.timezone, started_at), note=note,
    )  # fmt: skip


def messages_purge(*, now: dt.datetime | None = None) -> int:
    """Delete messages older than ``MESSAGE_RETENTION_DAYS`` (0: keep them with the record). Idempotent."""
    days = settings.MESSAGE_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return Message.objects.filter(created_at__lt=cutoff).delete()[1].get(Message._meta.label, 0)
