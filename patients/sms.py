"""Text messages. No provider is built in: ``SMS_BACKEND`` names a class with ``send(to, body)``.

- ``patients.sms.NullBackend`` (production default): sends nothing; the physio shows the invitation's QR code
  on screen or on paper instead.
- ``patients.sms.ConsoleBackend`` (development default): writes the message to standard output (as Django's
  console e-mail backend does), never to the log.
- ``patients.sms.LocmemBackend`` (tests): keeps messages in ``patients.sms.outbox``.

A provider's backend is a small class of the same shape (e.g. a Twilio or GatewayAPI client).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str


outbox: list[TextMessage] = []


class NullBackend:
    sends = False

    def send(self, to: str, body: str) -> bool:
        return False


class ConsoleBackend:
    sends = True

    def send(self, to: str, body: str) -> bool:
        sys.stdout.write(f"SMS to {to}:\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()
        return True


class LocmemBackend:
    sends = True

    def send(self, to: str, body: str) -> bool:
        outbox.append(TextMessage(to=to, body=body))
        return True


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> bool:
    """True when the message was handed to a provider (or the console, or the test outbox)."""
    return bool(sms_backend().send(to, body))
