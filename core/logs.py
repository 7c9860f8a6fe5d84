"""Structured logs (one JSON object a line) with a request id that follows a request into the Celery tasks
it causes. Log ids, never personal data: usernames, names and free text stay out of every message."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
SAFE_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
HEADER = "request_id"
# An invitation's token is in its accept path (/api/v1/invitations/{token}/accept/): Django's request logger
# names the path of every 4xx, so the token is cut out of every line (a valid link in a log opens an account).
SECRET_IN_PATH = re.compile(r"(/invitations/)[^/\s\"']+(/accept)")


def scrub(text: str) -> str:
    return SECRET_IN_PATH.sub(r"\1…\2", text)


def new_request_id(given: str | None = None) -> str:
    """The caller's X-Request-ID when it looks like an id (a proxy's), else a fresh one."""
    return given if given and SAFE_ID.fullmatch(given) else uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": request_id.get(),
            "message": scrub(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry)


class RequestIdMiddleware:
    """Sets the request id for the logs of this request (and the tasks it queues); answers it as a header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_id.set(new_request_id(request.headers.get("X-Request-ID")))
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id.get()
            return response
        finally:
            request_id.reset(token)


def connect_celery_signals() -> None:
    """Carry the request id in each published task's headers, and set it while the task runs."""
    from celery import signals

    @signals.before_task_publish.connect(weak=False)
    def _publish(headers=None, **kwargs):
        if headers is not None and request_id.get() != "-":
            headers[HEADER] = request_id.get()

    @signals.task_prerun.connect(weak=False)
    def _start(task=None, **kwargs):
        given = getattr(task.request, HEADER, None) or (task.request.headers or {}).get(HEADER)
        task.request.rt_request_token = request_id.set(given or f"task-{task.request.id}")

    @signals.task_postrun.connect(weak=False)
    def _end(task=None, **kwargs):
        token = getattr(task.request, "rt_request_token", None)
        if token is not None:
            request_id.reset(token)
