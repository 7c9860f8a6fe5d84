"""Transports: Web Push (VAPID) and e-mail. In-app delivery is the Notification row itself."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import tempfile
import threading
from functools import lru_cache
from urllib.parse import urlparse

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

log = logging.getLogger(__name__)


class RetryableChannelError(Exception):
    """The channel failed in a way worth retrying (429, 5xx, network)."""


class SubscriptionGone(Exception):
    """The push service says the subscription no longer exists (404/410)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def webpush_enabled() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY) or settings.VAPID_AUTOGENERATE


_vapid_lock = threading.Lock()


@lru_cache(maxsize=1)
def vapid_keys() -> tuple[str, str]:
    """(private, public) VAPID keys, base64url: from settings, else (development) a generated local file."""
    if settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY:
        return settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY
    if not settings.VAPID_AUTOGENERATE:
        raise ImproperlyConfigured("Set VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY to use Web Push.")
    with _vapid_lock:  # lru_cache does not stop two threads from missing at once
        path = settings.VAPID_KEY_FILE
        if not path.exists():
            _create_key_file(path)
        keys = json.loads(path.read_text())
        return keys["private"], keys["public"]


def _create_key_file(path) -> None:
    """Write a new key pair unless another process got there first. The file appears whole or not at all
    (written aside, then hard-linked into place, which fails if it exists), so the web and worker processes
    of a fresh start never read half a file and never use two different pairs."""
    vapid = Vapid02()
    vapid.generate_keys()
    private = _b64(vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))
    public = _b64(
        vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
    try:
        with os.fdopen(fd, "w") as handle:  # mkstemp creates it 0600
            handle.write(json.dumps({"private": private, "public": public}))
        with contextlib.suppress(FileExistsError):  # another process wrote its pair first: use that one
            os.link(tmp, path)
    finally:
        os.unlink(tmp)


def endpoint_allowed(endpoint: str) -> bool:
    """SSRF guard: only push services on the allow-list, and only plain URLs.

    Scheme, host and port must equal an allowed prefix's (so a prefix written without a
    trailing slash cannot admit ``fcm.googleapis.com.evil.example``); the path must start with its path.
    """
    try:
        parts = urlparse(endpoint)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in ("https", "http") or parts.username or parts.password or not parts.hostname:
        return False
    for prefix in settings.WEBPUSH_ALLOWED_ENDPOINTS:
        allowed = urlparse(prefix)
        if (parts.scheme, parts.hostname, port) == (allowed.scheme, allowed.hostname, allowed.port) and (
            parts.path.startswith(allowed.path or "/")
        ):
            return True
    return False


class _NoRedirects(requests.Session):
    """A redirect from a push service is never followed: it could point anywhere (the allow-list is for the
    endpoint we were given); a 3xx is a permanent failure."""

    def post(self, url, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().post(url, *args, **kwargs)


def send_webpush(*, endpoint: str, p256dh: str, auth: str, payload: dict, urgency: str = "normal") -> None:
    """Encrypt (aes128gcm) and POST ``payload`` with the headers RFC 8030/8291 ask for: a push service such as
    web-push-testing refuses a message without its Content-Type. ``urgency``: high for red flags."""
    if not endpoint_allowed(endpoint):  # the list may have changed since the subscription was stored
        raise SubscriptionGone("endpoint no longer allowed")
    private, _ = vapid_keys()
    try:
        webpush(
            subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=json.dumps(payload),
            vapid_private_key=private,
            vapid_claims={"sub": settings.VAPID_SUBJECT},  # a fresh dict: pywebpush adds "aud"/"exp" to it
            content_encoding="aes128gcm",
            headers={"Content-Type": "application/octet-stream", "Urgency": urgency},
            timeout=settings.WEBPUSH_TIMEOUT,
            ttl=settings.WEBPUSH_TTL,
            requests_session=_NoRedirects(),
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (404, 410):
            raise SubscriptionGone(str(status)) from exc
        if status is None or status == 429 or status >= 500:
            raise RetryableChannelError(f"push service answered {status}") from exc
        raise  # 400/401/403/413: our request is wrong; retrying will not help
    except OSError as exc:  # connection refused, timeout, DNS
        raise RetryableChannelError(type(exc).__name__) from exc


def send_email(*, to: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, None, [to])
    except OSError as exc:
        raise RetryableChannelError(type(exc).__name__) from exc
