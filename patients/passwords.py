"""Forgotten passwords, by e-mail, with Django's password-reset tokens (``PasswordResetTokenGenerator``).

A request names an e-mail address and always gets the same answer, whether or not an account has it (no
account enumeration). Each active account with that address and a usable password gets a link to
``PUBLIC_BASE_URL/reset-password#uid=…&token=…`` (the fragment never reaches a server log). A token is
bound to the account's current password and last sign-in: it works once, and for ``PASSWORD_RESET_TIMEOUT``
seconds. A new password ends every sign-in of that account (the tokens name the password they were issued for).
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlencode

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from .clinics import link_base
from .models import User


class ResetLinkInvalid(Exception):
    """Unknown account, wrong, used or expired token: one answer for all."""


def reset_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    fragment = urlencode({"uid": uid, "token": default_token_generator.make_token(user)})
    patient = getattr(user, "patient", None)
    return f"{link_base(patient.clinic if patient is not None else None)}/reset-password#{fragment}"


def password_reset_request(*, email: str) -> None:
    """Send a reset link to each active account with this address (none: nothing happens, silently)."""
    users = [u for u in User.objects.filter(email__iexact=email.strip(), is_active=True) if u.has_usable_password()]
    for user in users:
        body = (
            "Someone (we hope you) asked to reset your Rehab Tracker password. Open this link to choose a new "
            f"one:\n\n{reset_url(user)}\n\nThe link works once. If you did not ask, ignore this e-mail: your "
            "password stays as it is.\n"
        )
        with suppress(OSError):  # the answer stays the same: nothing tells whether an account exists
            send_mail("Reset your Rehab Tracker password", body, None, [user.email])


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
