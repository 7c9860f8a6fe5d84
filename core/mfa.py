"""The second factor (TOTP with recovery codes, django-otp): who has one, who must enrol, checking a code.

Services (writes) and selectors (reads) in one small module at the bottom layer, so the API's authentication
(``core.authentication``), the sign-in view and the admin's sign-in form share one rule:

- an account with a confirmed authenticator needs a code at every password sign-in (API and admin alike);
- a code is a 6-digit TOTP, accepted once (django-otp keeps the last time step used: the same code again, or
  an older one, is refused) or one of the account's recovery codes, each good once;
- the check locks the account's devices for its transaction, so two requests with the same code at the same
  moment cannot both pass.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import STAFF, role_of

TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper


def user_has_factor(*, user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _per_clinic(*, user, name: str) -> list[bool]:
    """A staff sign-in rule as each of the user's clinics sets it (its ``settings`` override of ``name``, else
    the install's setting), or the install's setting alone for someone in no clinic. Read through the
    membership relation, so this bottom layer needs no import of the clinics' code."""
    default = bool(getattr(settings, name))
    memberships = getattr(user, "memberships", None)
    rows = list(memberships.values_list("clinic__settings", flat=True)) if memberships is not None else []
    return [bool((row or {}).get(name, default)) for row in rows] or [default]


def mfa_required(*, user) -> bool:
    """Staff (clinicians and clinic admins) need a second factor when any of their clinics requires one
    (STAFF_MFA_REQUIRED): a clinic admin manages the staff accounts and that very setting."""
    return role_of(user) in STAFF and any(_per_clinic(user=user, name="STAFF_MFA_REQUIRED"))


def local_passwords_allowed(*, user) -> bool:
    """A clinician may sign in with a password unless one of their clinics has turned it off for SSO
    (STAFF_LOCAL_PASSWORDS)."""
    return all(_per_clinic(user=user, name="STAFF_LOCAL_PASSWORDS"))


def user_must_enrol(*, user) -> bool:
    """A clinician without an authenticator while their clinic requires one."""
    return mfa_required(user=user) and not user_has_factor(user=user)


def mfa_status(*, user) -> dict:
    recovery = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return {
        "totp": user_has_factor(user=user),
        "recovery_codes_left": recovery,
        "required": mfa_required(user=user),
    }


def otp_verify(*, user, code: str):
    """The device that accepted ``code``: the account's authenticator for its current TOTP (not used before),
    or its recovery codes for an unused one (now spent); None otherwise."""
    code = "".join(str(code or "").split()).lower()
    if not code or len(code) > 16:
        return None
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        for device in kind.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


def totp_enrol_start(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator (a fresh secret); an earlier unconfirmed one is dropped."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def totp_enrol_confirm(*, user, code: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from it: it replaces any earlier one, and a new set of
    recovery codes (returned once, stored as given) replaces the old set. None when the code is wrong."""
    code = "".join(str(code or "").split())
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
        if device is None or not (code.isdigit() and len(code) == 6) or not device.verify_token(code):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [_recovery_code() for _ in range(settings.MFA_RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    return codes


def _recovery_code() -> str:
    text = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{text[:5]}-{text[5:]}"
