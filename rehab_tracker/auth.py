"""Sign-in, token refresh and sign-out (SPEC §5), hardened.

- Access tokens live minutes; refresh tokens rotate and the used one is
  blacklisted (simplejwt's token_blacklist), so a refresh token works once.
- Every token carries a hash of the user's password hash (simplejwt's
  ``CHECK_REVOKE_TOKEN``): a password change revokes every token of that user;
  deactivation does too (the active check), and so does deletion.
- The login throttle counts per real client address (``NUM_PROXIES``) in the
  shared cache; a username locked out by django-axes gets 429 with the retry time.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView

from core.api import LimitedJSONParser

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
        return super().validate(attrs)


def _lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


class LoginView(TokenObtainPairView):
    """``{username, password}`` → ``{access, refresh}``; throttled per client address, locked after failures."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
    parser_classes = [LimitedJSONParser]  # JSON only, like every other operation (one body type for clients)

    @extend_schema(
        responses={
            200: inline_serializer("Tokens", {"access": serializers.CharField(), "refresh": serializers.CharField()}),
            401: OpenApiResponse({"$ref": "#/components/schemas/Error"}, "Wrong username or password"),
            429: OpenApiResponse({"$ref": "#/components/schemas/Error"}, "Locked out or throttled: see Retry-After"),
        }
    )
    def post(self, request, *args, **kwargs):
        credentials = {"username": request.data.get("username")} if hasattr(request.data, "get") else {}
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


class LogoutView(TokenBlacklistView):
    """``{refresh}`` → 200: the refresh token is blacklisted; the access token dies within minutes."""

    @extend_schema(
        responses={200: OpenApiResponse({"type": "object", "additionalProperties": False}, "Signed out: {}")}
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
