"""Reads: a conversation, the messages in a user's scope, and the clinician's inbox (unread first)."""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from core.roles import Role
from patients.models import Patient, User
from patients.scope import patients_for_user

from .models import Message, MessageRead


def messages_in_scope(*, user: User) -> QuerySet[Message]:
    """Every message of the patients in ``user``'s scope, with its read receipts (one more query)."""
    reads = Prefetch("reads", queryset=MessageRead.objects.select_related("user").order_by("read_at", "id"))
    return Message.objects.filter(patient__in=patients_for_user(user).values("id")).prefetch_related(reads)


def unread_from_patient(user: User) -> Subquery:
    """Per patient (``OuterRef("pk")``): the patient's messages ``user`` has not read."""
    unread = (
        Message.objects.filter(patient=OuterRef("pk"), role=Role.PATIENT)
        .exclude(Exists(MessageRead.objects.filter(message=OuterRef("pk"), user=user)))
        .values("patient")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))


def message_inbox(*, user: User) -> QuerySet[Patient]:
    """The patients in scope who have a conversation: unread first, then the latest message first.
    Each carries ``unread`` and ``last_message_at``."""
    return (
        patients_for_user(user)
        .annotate(last_message_at=Max("messages__created_at"), unread=unread_from_patient(user))
        .filter(last_message_at__isnull=False)
        .order_by("-unread", "-last_message_at", "id")
    )
