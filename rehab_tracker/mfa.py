"""Two-factor sign-in for clinicians: the account's status, setting up an authenticator app (a QR code drawn
on the server as SVG by segno) and confirming it with a first code, which returns the recovery codes once.

The rules (one code once, recovery codes once, who must enrol) are in ``core.mfa``; the token endpoint asks
for the code (``auth.py``) and so does the Django admin's sign-in (``admin_site.py``).
"""

from __future__ import annotations

import base64

import segno
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.authentication import SSO_CLAIM
from core.mfa import mfa_status, totp_enrol_confirm, totp_enrol_start, user_must_enrol
from core.permissions import only_for
from core.roles import STAFF
from core.throttling import LoginRateThrottle

STATUS = inline_serializer(
    "MfaStatus",
    {
        "totp": serializers.BooleanField(help_text="An authenticator app is set up: sign-in asks for its code"),
        "recovery_codes_left": serializers.IntegerField(),
        "required": serializers.BooleanField(help_text="The clinic requires a second factor for this account"),
        "enrol_now": serializers.BooleanField(
            help_text="The API answers this session only for enrolment until an authenticator is set up"
        ),
    },
)
ENROLMENT = inline_serializer(
    "TotpEnrolment",
    {
        "secret": serializers.CharField(help_text="The shared secret, base32, for typing into the app by hand"),
        "otpauth_url": serializers.CharField(help_text="The otpauth:// URI the QR code holds"),
        "qr_svg": serializers.CharField(help_text="The QR code as an SVG document"),
    },
)


class CodeSerializer(serializers.Serializer):
    otp = serializers.RegexField(r"^\s*\d{3}\s?\d{3}\s*$", max_length=16, help_text="6 digits from the app")


class MfaStatusView(APIView):
    """The signed-in clinician's second factor: set up or not, recovery codes left, required or not."""

    permission_classes = [only_for(*STAFF)]

    @extend_schema(responses={200: STATUS})
    def get(self, request):
        status_ = mfa_status(user=request.user)
        from_sso = bool(getattr(request.auth, "get", lambda _: False)(SSO_CLAIM))
        return Response({**status_, "enrol_now": user_must_enrol(user=request.user) and not from_sso})


class TotpEnrolView(APIView):
    """Start setting up an authenticator app: a new secret and its QR code (nothing changes until confirmed)."""

    permission_classes = [only_for(*STAFF)]

    @extend_schema(request=None, responses={201: ENROLMENT})
    def post(self, request):
        device = totp_enrol_start(user=request.user)
        url = device.config_url
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        svg = segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff", omitsize=True)
        return Response({"secret": secret, "otpauth_url": url, "qr_svg": svg}, status=status.HTTP_201_CREATED)


@method_decorator(sensitive_post_parameters("otp"), name="dispatch")
class TotpConfirmView(APIView):
    """Confirm the new authenticator with a code from it: sign-in asks for codes from now on; the recovery
    codes are in this answer only."""

    permission_classes = [only_for(*STAFF)]
    throttle_classes = [LoginRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=CodeSerializer,
        responses={
            200: inline_serializer(
                "RecoveryCodes",
                {"recovery_codes": serializers.ListField(child=serializers.CharField(), help_text="Each works once")},
            ),
            400: OpenApiResponse({"$ref": "#/components/schemas/ValidationError"}, "A wrong code, or none pending"),
        },
    )
    def post(self, request):
        body = CodeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        codes = totp_enrol_confirm(user=request.user, code=body.validated_data["otp"])
        if codes is None:
            return Response(
                {"otp": ["That code does not match the new authenticator: check the phone's clock, or start again."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"recovery_codes": codes})
