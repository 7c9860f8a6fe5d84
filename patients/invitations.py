"""Invitations: a one-time link by which a patient sets their own password (docs/api.md, "Invitations").

- The link carries a random token (256 bits); only its SHA-256 is stored, so a database dump opens no account.
- It opens the app at ``PUBLIC_BASE_URL`` (the clinic's public address, never the address the physio's
  request came to), with the token in the fragment (``/invite#token``): a fragment never reaches a server
  log or a ``Referer`` header.
- It expires after ``INVITATION_TTL_DAYS`` (default 7), works once, and a new invitation of the same patient
  revokes the old one (a database constraint keeps one live invitation per patient).
- Delivery: Django e-mail, or a text message through ``SMS_BACKEND``; the physio always gets the link as a QR
  code too, for the screen or a print-out. Nothing here logs the address, the number or the link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .clinics import link_base
from .models import Invitation, InvitationChannel, Patient, User
from .selectors import patient_display_name
from .sms import send_sms


class InvitationInvalid(Exception):
    """Unknown, expired, used or replaced: one answer for all (the link is the secret)."""


class InvitationChannelError(Exception):
    """The chosen channel has no address for this patient."""


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    url: str
    qr_svg: str  # an SVG data URI
    delivered: bool


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str, clinic=None) -> str:
    return f"{link_base(clinic)}/invite#{token}"


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=4)


def default_channel(patient: Patient) -> str:
    if patient.user.email:
        return InvitationChannel.EMAIL
    if patient.phone:
        return InvitationChannel.SMS
    return InvitationChannel.SCREEN


@transaction.atomic
def invitation_send(*, patient: Patient, by: User, channel: str | None = None) -> SentInvitation:
    """A new link for ``patient`` (any earlier live one stops working), sent by ``channel`` (default: e-mail
    when the patient has an address, else a text message when they have a number, else only on screen)."""
    channel = channel or default_channel(patient)
    if channel == InvitationChannel.EMAIL and not patient.user.email:
        raise InvitationChannelError("This patient has no e-mail address.")
    if channel == InvitationChannel.SMS and not patient.phone:
        raise InvitationChannelError("This patient has no mobile number.")
    Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk).first()  # one re-send at a time
    now = timezone.now()
    Invitation.objects.filter(patient=patient, accepted_at=None, revoked_at=None).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        patient=patient,
        token_hash=token_hash(token),
        channel=channel,
        created_by=by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    url = invitation_url(token, patient.clinic)
    delivered = _deliver(patient, channel, url)
    return SentInvitation(invitation=invitation, url=url, qr_svg=qr_svg(url), delivered=delivered)


def _message(patient: Patient, url: str) -> str:
    days = settings.INVITATION_TTL_DAYS
    return (
        f"Hello {patient_display_name(patient=patient)},\n\n"
        f"your physiotherapist has set up Rehab Tracker for your Achilles exercises. Open this link on your "
        f"phone and choose your password:\n\n{url}\n\n"
        f"The link works once, for {days} days. Afterwards you sign in with your e-mail address or mobile "
        f"number and that password.\n"
    )


def _deliver(patient: Patient, channel: str, url: str) -> bool:
    if channel == InvitationChannel.EMAIL:
        # Sent now (the link exists only in this request): a failure leaves the invitation valid, shown on screen.
        try:
            send_mail("Your Rehab Tracker account", _message(patient, url), None, [patient.user.email])
        except OSError:  # SMTP unreachable or refused: the physio shows the QR code or sends it again
            return False
        return True
    if channel == InvitationChannel.SMS:
        text = f"Rehab Tracker: choose your password here (works once, {settings.INVITATION_TTL_DAYS} days): {url}"
        try:
            return send_sms(to=patient.phone, body=text)
        except OSError:
            return False
    return False


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the invited patient's password and spend the link. ``InvitationInvalid`` for an unknown, expired,
    used or replaced link; Django's ``ValidationError`` for a password its validators refuse (the link then
    stays valid)."""
    invitation = (
        Invitation.objects.select_for_update(no_key=True)
        .select_related("patient__user")
        .filter(token_hash=token_hash(token or ""), accepted_at=None, revoked_at=None)
        .first()
    )
    if invitation is None or invitation.expires_at <= timezone.now() or not invitation.patient.user.is_active:
        raise InvitationInvalid
    user = invitation.patient.user
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user
