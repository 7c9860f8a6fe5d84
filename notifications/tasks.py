"""Celery tasks: thin, idempotent, ids in. The work is in reminders, escalation and deliveries.

A red-flag check-in does not come through here: it is reported in the request's own transaction
(``notifications.flags.red_flag_report``), and the hourly evaluation catches any that a dead request left.
"""

import logging

from celery import shared_task
from django.conf import settings

from . import aftercare, channels, deliveries, escalation, evaluation_runs, reminders

log = logging.getLogger(__name__)


@shared_task
def sweep_reminders() -> int:
    """Every minute: store due reminders once and queue them in chunks."""
    ids = reminders.sweep()
    chunk = settings.REMINDER_CHUNK
    for start in range(0, len(ids), chunk):
        process_reminders.delay(ids[start : start + chunk])
    return len(ids)


@shared_task
def process_reminders(reminder_ids: list[int]) -> int:
    return len(reminders.process(reminder_ids=reminder_ids))


@shared_task(
    autoretry_for=(channels.RetryableChannelError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def send_delivery(delivery_id: int) -> str:
    """One channel delivery; only channel errors are retried, with exponential backoff and jitter."""
    return deliveries.delivery_send(delivery_id=delivery_id)


@shared_task
def retry_stale_deliveries() -> int:
    """Re-queue deliveries whose task was lost or whose worker died mid-send."""
    from django.utils import timezone

    ids = deliveries.stale_delivery_ids(timezone.now())
    for delivery_id in ids:
        send_delivery.delay(delivery_id)
    return len(ids)


@shared_task
def evaluate_patients(patient_ids: list[int] | None = None) -> dict:
    """Hourly: plan a run over everyone and queue its chunks (``notifications.evaluation_runs``); with
    ``patient_ids`` (a red-flag check-in, a command): the ladder for those patients here and now."""
    if patient_ids is not None:
        return escalation.evaluate(patient_ids=patient_ids)
    run = evaluation_runs.evaluation_plan()
    chunk_ids = evaluation_runs.evaluation_chunk_ids(run=run) + evaluation_runs.evaluation_stale_chunk_ids()
    for chunk_id in dict.fromkeys(chunk_ids):
        evaluate_chunk.apply_async((chunk_id,), queue=settings.CELERY_EVALUATION_QUEUE)
    return {"run": run.id, "chunks": run.chunks_total, "patients": run.patients_total}


@shared_task(bind=True)
def evaluate_chunk(self, chunk_id: int) -> str:
    """One chunk of a run, on any worker of the evaluation queue; safe to deliver twice."""
    return evaluation_runs.evaluation_chunk_run(chunk_id=chunk_id, task_id=self.request.id or "")


@shared_task
def sweep_follow_ups() -> int:
    """Every few minutes: remind due follow-up VISA-As once, and judge the answered ones."""
    return aftercare.follow_ups_sweep()
