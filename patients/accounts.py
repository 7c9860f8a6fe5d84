"""Accounts without a password typed by anyone but their owner: invitations and forgotten passwords.

``POST /api/v1/invitations/`` (physio, admin) sends a patient in scope a one-time link;
``POST /api/v1/invitations/{token}/accept/`` (anyone with the link) sets the password and signs in;
``POST /api/v1/auth/password-reset/`` and ``…/confirm/`` (anyone) reset a forgotten password by e-mail.
Passwords, tokens and links never reach an error report (sensitive views) or a log line.
"""

from __future__ import annotations

from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import RefreshToken

from core.permissions import only_for
from core.throttling import LoginRateThrottle, PasswordResetEmailRateThrottle, PasswordResetRateThrottle

from . import invitations, passwords
from .audit import AuditedView
from .models import InvitationChannel, Role
from .scope import scoped_patient

SENSITIVE = [sensitive_variables(), sensitive_post_parameters("password", "token")]
INVALID_INVITATION = (
    "This link no longer works: it was used, it expired, or a newer one was sent. Ask your physiotherapist "
    "to send a new one."
)
INVALID_RESET = "This link no longer works: it was used or it expired. Ask for a new one."
RESET_SENT = "If an account has this e-mail address, a link to reset its password is on its way."


THROTTLED = OpenApiResponse({"$ref": "#/components/schemas/Error"}, "Throttled: see Retry-After")


class InvitationCreateSerializer(serializers.Serializer):
    patient = serializers.IntegerField(help_text="The patient id (in your caseload)")
    channel = serializers.ChoiceField(
        choices=InvitationChannel.choices,
        required=False,
        help_text="email, sms or screen (the QR code only); default: e-mail when the patient has an address, "
        "else a text message when they have a mobile number, else screen",
    )


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    patient = serializers.IntegerField(source="patient_id")
    channel = serializers.ChoiceField(choices=InvitationChannel.choices)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class SentInvitationSerializer(InvitationSerializer):
    url = serializers.CharField(help_text="The one-time link (for the QR code and a print-out)")
    qr_svg = serializers.CharField(help_text="The link as a QR code: an SVG data: URI for an <img>")
    delivered = serializers.BooleanField(help_text="The e-mail or text message was handed over for delivery")


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})


TOKENS = inline_serializer(
    "InvitationAccepted",
    {"access": serializers.CharField(), "refresh": serializers.CharField(), "username": serializers.CharField()},
)


class InvitationView(AuditedView, APIView):
    """Send (or send again) a patient's invitation: the link before stops working."""

    permission_classes = [only_for(Role.PHYSIO, Role.ADMIN)]

    @extend_schema(
        request=InvitationCreateSerializer,
        responses={
            201: SentInvitationSerializer,
            404: OpenApiResponse({"$ref": "#/components/schemas/Error"}, "No such patient in your scope"),
        },
    )
    def post(self, request):
        body = InvitationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        patient = scoped_patient(request, body.validated_data["patient"])
        try:
            sent = invitations.invitation_send(
                patient=patient, by=request.user, channel=body.validated_data.get("channel")
            )
        except invitations.InvitationChannelError as exc:
            raise ValidationError({"channel": [str(exc)]}) from exc
        self.audit(patient.id)
        data = InvitationSerializer(sent.invitation).data | {"url": sent.url, "qr_svg": sent.qr_svg,
                                                            "delivered": sent.delivered}  # fmt: skip
        return Response(data, status=status.HTTP_201_CREATED)


def _tokens_for(user) -> dict:
    refresh = RefreshToken.for_user(user)
    update_last_login(None, user)
    return {"access": str(refresh.access_token), "refresh": str(refresh), "username": user.username}


@method_decorator(SENSITIVE, name="dispatch")
class SignedOutView(APIView):
    """For anyone, signed in or not (no authentication is tried); sign-in attempts per client address. Passwords
    and tokens never reach an error report."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginRateThrottle]
    throttle_scope = "login"


def password_refused(exc: DjangoValidationError) -> ValidationError:
    """Django's password validators' verdict as the API's 400 on ``password``."""
    return ValidationError({"password": list(exc.messages)})


class InvitationAcceptView(SignedOutView):
    """The patient chooses their password with the link's token, and is signed in."""

    @extend_schema(
        request=PasswordSerializer,
        responses={
            200: TOKENS,
            404: OpenApiResponse({"$ref": "#/components/schemas/Error"}, "Unknown, used, expired or replaced link"),
            429: THROTTLED,
        },
    )
    def post(self, request, token):
        body = PasswordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            user = invitations.invitation_accept(token=token, password=body.validated_data["password"])
        except invitations.InvitationInvalid as exc:
            raise NotFound(INVALID_INVITATION) from exc
        except DjangoValidationError as exc:
            raise password_refused(exc) from exc
        return Response(_tokens_for(user))


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(PasswordSerializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})


class PasswordResetView(SignedOutView):
    """Ask for a reset link by e-mail. The same answer whether or not an account has the address."""

    throttle_classes = [PasswordResetRateThrottle, PasswordResetEmailRateThrottle]

    @extend_schema(
        request=PasswordResetSerializer,
        responses={
            202: DETAIL,
            429: THROTTLED,
        },
    )
    def post(self, request):
        body = PasswordResetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        passwords.password_reset_request(email=body.validated_data["email"])
        return Response({"detail": RESET_SENT}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(SignedOutView):
    """A new password with the e-mailed link's ``uid`` and ``token``; every earlier sign-in of the account ends."""

    @extend_schema(
        request=PasswordResetConfirmSerializer,
        responses={
            200: DETAIL,
            429: THROTTLED,
        },
    )
    def post(self, request):
        body = PasswordResetConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            passwords.password_reset_confirm(uid=data["uid"], token=data["token"], password=data["password"])
        except passwords.ResetLinkInvalid as exc:
            raise ValidationError({"token": [INVALID_RESET]}) from exc
        except DjangoValidationError as exc:
            raise password_refused(exc) from exc
        return Response({"detail": "Your password is changed: sign in with it."})
