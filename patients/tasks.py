"""The patients app's tasks: ids in, idempotent (the broker delivers at least once)."""

from celery import shared_task

from . import passwords


@shared_task
def send_password_resets(user_ids: list[int], request_id: str) -> int:
    """The reset links of one request (``patients.passwords.password_reset_request``), each sent once."""
    return passwords.password_resets_send(user_ids=user_ids, request_id=request_id)
