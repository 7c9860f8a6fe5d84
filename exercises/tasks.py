"""Celery tasks of the exercises app: thin, idempotent; the work is in ``partitions``."""

from celery import shared_task
from django.utils import timezone

from . import partitions


@shared_task
def ensure_setlog_partitions() -> list[str]:
    """Daily: the set logs' month partitions ahead, and one for any month waiting in the default partition."""
    return partitions.setlog_partitions_ensure(today=timezone.now().date())
