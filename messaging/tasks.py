"""Celery tasks: thin and idempotent. The work is in ``services``."""

from celery import shared_task

from . import services


@shared_task
def purge_messages() -> int:
    """Daily: delete messages past the retention setting (none when it is 0)."""
    return services.messages_purge()
