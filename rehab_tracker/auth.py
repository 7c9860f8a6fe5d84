"""Sign-in, token refresh and sign-out (docs/api.md §1), hardened.

- Access tokens live minutes; refresh tokens rotate and the used one is
  blacklisted (simplejwt's token_blacklist), so a refresh token works once.
- Every token carries a hash of the user's password hash (simplejwt's
  ``CHECK_REVOKE_TOKEN``): a password change revokes every token of that user;
  deactivation does too (the active check), and so does deletion.
- Rotation is atomic: the used token's blacklist row is inserted in the
  transaction that issues the new pair, and the unique row lets one of several
  concurrent refreshes of the same token win; the others get 401.
- The login throttle counts per real client address (``NUM_PROXIES``) in the
  shared cache; a username locked out by django-axes (per username and that same
  address) gets 429 with the retry time.
- Usernames are NFKC-normalised at sign-in as they are when stored (a fullwidth
  ``ａｄｍｉｎ2`` is ``admin2``); one longer than any stored username is a 400.
- A second factor (``core.mfa``): an account with an authenticator gets tokens only with ``otp`` (a current
  TOTP code, each accepted once, or a recovery code, each good once); without it the answer is 401 with
  ``code: "otp_required"``, with a wrong or used one ``code: "otp_invalid"``. With ``STAFF_LOCAL_PASSWORDS``
  off a clinician's password is refused (``code: "sso_required"``): they sign in through SSO (``sso.py``).
- Passwords and refresh tokens never appear in an error report: the views that
  take them are marked sensitive (``sensitive_post_parameters``, ``sensitive_variables``).
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_login_failed
from django.db import IntegrityError, transaction
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenObtainSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenRefreshView

from core.api import LimitedJSONParser
from core.mfa import local_passwords_allowed, otp_verify, user_has_factor
from core.roles import CLINICIANS
from core.throttling import LoginRateThrottle, RefreshDayRateThrottle, RefreshRateThrottle

REVOKED = "This sign-in has ended (signed out, password changed or account closed): sign in again."


class RefreshSerializer(TokenRefreshSerializer):
    """Refresh only for a user who still exists, is active and has the password the token was issued for."""

    def validate(self, attrs):
        try:
            refresh = RefreshToken(attrs["refresh"])
        except TokenError as exc:  # expired, malformed or blacklisted (used once already)
            raise InvalidToken(exc.args[0]) from exc
        user_id = refresh.payload.get(api_settings.USER_ID_CLAIM)
        user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
        if (
            user is None
            or not user.is_active
            or refresh.payload.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password)
        ):
            raise AuthenticationFailed(REVOKED, "token_revoked")
        with transaction.atomic():
            used, _ = OutstandingToken.objects.get_or_create(
                jti=refresh[api_settings.JTI_CLAIM],
                defaults={"user": user, "token": str(refresh), "expires_at": datetime_from_epoch(refresh["exp"])},
            )
            try:
                with transaction.atomic():
                    BlacklistedToken.objects.create(token=used)
            except IntegrityError as exc:  # a concurrent refresh of the same token won
                raise InvalidToken("Token is blacklisted") from exc
            data = {"access": str(refresh.access_token)}
            refresh.set_jti()
            refresh.set_exp()
            refresh.set_iat()
            refresh.outstand()
            data["refresh"] = str(refresh)
        return data


USERNAME_MAX = get_user_model()._meta.get_field("username").max_length


def sign_in_username(value):
    """The username as stored: NFKC-normalised (Django's ``normalize_username``), as at account creation."""
    return get_user_model().normalize_username(value) if isinstance(value, str) else value


OTP_REQUIRED = "This account has a second factor: send the 6-digit code from its authenticator app, or a recovery code."
OTP_INVALID = "That code is wrong, expired or already used: wait for the next code and try again."
SSO_REQUIRED = "Staff sign in with single sign-on here: use the button for your organisation."


def refused(detail: str, code: str) -> AuthenticationFailed:
    """A 401 whose body says why: ``{"detail": ..., "code": ...}`` (the schema's Error)."""
    return AuthenticationFailed({"detail": detail, "code": code})


def check_second_factor(*, user, otp: str, request=None) -> None:
    """After the password: a clinician whose clinic signs in through SSO only, or an account with an
    authenticator and no (or a wrong) code, gets no tokens. A wrong code counts as a failed sign-in for the
    username lockout (django-axes), as a wrong password does."""
    if user.role in CLINICIANS and not user.is_superuser and not local_passwords_allowed(user=user):
        raise refused(SSO_REQUIRED, "sso_required")
    if not user_has_factor(user=user):
        return
    if not otp:
        raise refused(OTP_REQUIRED, "otp_required")
    if not otp_verify(user=user, code=otp):
        if request is not None:
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
        raise refused(OTP_INVALID, "otp_invalid")


def token_pair(user, **claims) -> dict:
    refresh = LoginSerializer.get_token(user)
    for name, value in claims.items():
        refresh[name] = value
    if api_settings.UPDATE_LAST_LOGIN:
        update_last_login(None, user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class LoginSerializer(TokenObtainPairSerializer):
    otp = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=32,
        help_text="The code from the authenticator app, or a recovery code: needed when the account has one",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = serializers.CharField(write_only=True, max_length=USERNAME_MAX)

    def validate(self, attrs):
        attrs[self.username_field] = sign_in_username(attrs[self.username_field])
        otp = attrs.pop("otp", "")
        TokenObtainSerializer.validate(self, attrs)  # the password: self.user, or 401
        # the DRF request, as simplejwt hands it to authenticate(): axes then marks it, not the Django request
        # whose mark would make axes' middleware answer with its HTML page instead of this view's JSON 429
        check_second_factor(user=self.user, otp=otp, request=self.context.get("request"))
        return token_pair(self.user)


def _lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


SENSITIVE = [sensitive_variables(), sensitive_post_parameters("password", "refresh")]


@method_decorator(SENSITIVE, name="dispatch")
class LoginView(TokenObtainPairView):
    """``{username, password, otp?}`` → ``{access, refresh}``; throttled per client address, locked after failures."""

    throttle_classes = [LoginRateThrottle]
    throttle_scope = "login"
    parser_classes = [LimitedJSONParser]  # JSON only, like every other operation (one body type for clients)
    serializer_class = LoginSerializer

    @extend_schema(
        responses={
            200: inline_serializer("Tokens", {"access": serializers.CharField(), "refresh": serializers.CharField()}),
            401: OpenApiResponse(
                {"$ref": "#/components/schemas/Error"},
                "Wrong username or password; or `code`: `otp_required` (the account has a second factor: send "
                "`otp`), `otp_invalid` (a wrong or used code), `sso_required` (staff sign in through SSO)",
            ),
            429: OpenApiResponse({"$ref": "#/components/schemas/Error"}, "Locked out or throttled: see Retry-After"),
        }
    )
    def post(self, request, *args, **kwargs):
        username = sign_in_username(request.data.get("username")) if hasattr(request.data, "get") else None
        if isinstance(username, str) and len(username) > USERNAME_MAX:  # no account has it; axes cannot store it
            return Response({"username": [f"At most {USERNAME_MAX} characters."]}, status=status.HTTP_400_BAD_REQUEST)
        credentials = {"username": username} if isinstance(username, str) else {}
        AxesProxyHandler.update_request(request._request)
        if credentials.get("username") and AxesProxyHandler.is_locked(request._request, credentials):
            return self._locked()
        try:
            return super().post(request, *args, **kwargs)
        except AuthenticationFailed:
            if credentials.get("username") and AxesProxyHandler.is_locked(request._request, credentials):
                return self._locked()
            raise

    def _locked(self) -> Response:
        seconds = _lockout_seconds()
        return Response(
            {"detail": f"Account locked after too many failed sign-ins. Try again in {seconds // 60} minutes."},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(seconds)},
        )


@method_decorator(SENSITIVE, name="dispatch")
class RefreshView(TokenRefreshView):
    """``{refresh}`` → ``{access, refresh}``: the used refresh token is spent, whatever runs at the same time.
    Its write limits count per the token's user, not per address (``core.throttling.RefreshRateThrottle``)."""

    throttle_classes = [RefreshRateThrottle, RefreshDayRateThrottle]


@method_decorator(SENSITIVE, name="dispatch")
class LogoutView(TokenBlacklistView):
    """``{refresh}`` → 200: the refresh token is blacklisted; the access token dies within minutes."""

    @extend_schema(
        responses={200: OpenApiResponse({"type": "object", "additionalProperties": False}, "Signed out: {}")}
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
