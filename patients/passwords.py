"""Forgotten passwords, by e-mail, with Django's password-reset tokens (``PasswordResetTokenGenerator``).

A request names an e-mail address and always gets the same answer, whether or not an account has it (no
account enumeration). Each active account with that address and a usable password gets a link to
``PUBLIC_BASE_URL/reset-password#uid=…&token=…`` (the fragment never reaches a server log). A token is
bound to the account's current password and last sign-in: it works once, and for ``PASSWORD_RESET_TIMEOUT``
seconds. A new password ends every sign-in of that account (the tokens name the password they were issued for).
"""

from __future__ import annotations

import logging
import threading
import uuid
from contextlib import suppress
from urllib.parse import urlencode

from celery import current_app
from django import db
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from kombu.exceptions import OperationalError

from .clinics import link_base
from .models import User

log = logging.getLogger(__name__)
SEND_RESETS = "patients.tasks.send_password_resets"


class ResetLinkInvalid(Exception):
    """Unknown account, wrong, used or expired token: one answer for all."""


def reset_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    fragment = urlencode({"uid": uid, "token": default_token_generator.make_token(user)})
    patient = getattr(user, "patient", None)
    return f"{link_base(patient.clinic if patient is not None else None)}/reset-password#{fragment}"


def password_reset_request(*, email: str) -> None:
    """Queue a reset link for each active account with this address (none: nothing is sent, silently).

    The e-mails go out from a worker (``patients.tasks.send_password_resets``): the request does the same work
    whether or not an account has the address (one lookup, one queued task with the accounts' ids, possibly
    none), so neither its answer nor its time tells whether the address is known."""
    ids = [u.pk for u in User.objects.filter(email__iexact=email.strip(), is_active=True) if u.has_usable_password()]
    request_id = uuid.uuid4().hex
    transaction.on_commit(lambda: _queue(ids, request_id))


def _queue(user_ids: list[int], request_id: str) -> None:
    try:  # by name: the tasks module imports this one
        current_app.send_task(SEND_RESETS, args=[user_ids, request_id])
    except (OperationalError, OSError) as exc:
        # The broker is down: send from a thread of this process, so the answer still takes no longer when an
        # account has the address (the mail server's time is not the request's).
        log.warning("broker unreachable: %d password-reset e-mail(s) sent from this process (%s)", len(user_ids),
                    type(exc).__name__)  # fmt: skip
        threading.Thread(target=_send_here, args=(user_ids, request_id), daemon=True).start()


def _send_here(user_ids: list[int], request_id: str) -> None:
    try:
        password_resets_send(user_ids=user_ids, request_id=request_id, once=False)
    finally:
        db.connections.close_all()  # this thread's own connection


SENDING_SECONDS = 60  # a claim on one e-mail while it is sent: a worker that dies frees it within a minute


def password_resets_send(*, user_ids: list[int], request_id: str, once: bool = True) -> int:
    """Each account's link for one request, once: a task delivered again (Redis delivers at least once) finds
    the e-mail marked sent, or being sent by another delivery, and sends nothing. The mark is written when the
    mail server has taken the message; a worker killed before that leaves only the minute's claim, so the
    redelivered task sends it then (at least once, rarely twice; never lost). Returns how many were sent."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        if not user.has_usable_password():
            continue
        key = f"password-reset:{request_id}:{user.pk}"
        if once and (cache.get(f"{key}:sent") or not cache.add(f"{key}:sending", 1, SENDING_SECONDS)):
            continue
        body = (
            "Someone (we hope you) asked to reset your Rehab Tracker password. Open this link to choose a new "
            f"one:\n\n{reset_url(user)}\n\nThe link works once. If you did not ask, ignore this e-mail: your "
            "password stays as it is.\n"
        )
        with suppress(OSError):  # the mail server refused: no retry, the patient can ask again
            send_mail("Reset your Rehab Tracker password", body, None, [user.email])
            sent += 1
        if once:
            cache.set(f"{key}:sent", 1, settings.PASSWORD_RESET_TIMEOUT)
    return sent


def _user_of(uid: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uid or "")))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, password: str) -> User:
    """The new password for the account the link names. ``ResetLinkInvalid`` for a wrong, used or expired link;
    Django's ``ValidationError`` when the validators refuse the password (the link then stays valid)."""
    user = _user_of(uid)
    if user is None:
        raise ResetLinkInvalid
    user = User.objects.select_for_update(no_key=True).get(pk=user.pk)  # two confirms of one link: the second fails
    if not default_token_generator.check_token(user, token or ""):
        raise ResetLinkInvalid
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
