"""Single sign-on for staff through OpenID Connect (mozilla-django-oidc), and the hand-off to the web client.

The flow (authorization code with PKCE and a nonce; the browser never sees a token of ours in a URL):

1. The sign-in screen links to ``/oidc/authenticate/``: mozilla-django-oidc keeps state, nonce and the PKCE
   verifier in the Django session and sends the browser to the identity provider.
2. The provider sends it back to ``/oidc/callback/``; the backend below trades the code (with the verifier)
   for tokens, checks the ID token's signature and nonce, reads the user-info claims, and finds the staff
   account with that verified e-mail (never a patient's, never a new account). The role claim
   (``OIDC_ROLE_CLAIM``), when present, sets the role; a value that is no staff role refuses the sign-in.
3. ``/sso/complete/`` turns the Django session into a one-time code (random, 256 bits, kept hashed in the
   cache for ``SSO_HANDOFF_SECONDS``), ends the session, and sends the browser to ``/signin#sso=<code>``: a
   fragment never reaches a server log or a Referer.
4. The web client posts the code to ``POST /api/v1/auth/sso/exchange/``: the first exchange gets the JWT
   pair, any other answers 401.

Why mozilla-django-oidc rather than django-allauth: the API signs in with simplejwt and the web client is a
SPA, so only the relying-party half is needed (one backend, two views); allauth would bring its account and
social-account apps, the sites framework, templates and session sign-in flows beside simplejwt's. The second
factor is django-otp's (``core.mfa``), which also guards the Django admin's sign-in.

Everything is off unless ``OIDC_RP_CLIENT_ID`` is set. Settings are read through :func:`provider_setting`, the
one place that will look a clinic's own provider up once clinics exist.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib import auth
from django.core.cache import cache
from django.http import Http404, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import LimitedJSONParser
from core.authentication import SSO_CLAIM
from core.roles import CLINICIANS
from core.throttling import LoginRateThrottle

from .auth import refused, token_pair

log = logging.getLogger(__name__)
HANDOFF_PREFIX = "sso-handoff:"
OIDC_BACKEND = f"{__name__}.StaffOIDCBackend"
EXCHANGE_FAILED = "This sign-in link has expired or was used already: sign in again."


def provider_setting(name: str, default=""):
    return getattr(settings, name, default)


def sso_enabled() -> bool:
    return bool(provider_setting("OIDC_RP_CLIENT_ID"))


class StaffOIDCBackend(OIDCAuthenticationBackend):
    """Staff by verified e-mail; the role from a claim. Answers only on the callback, and only when configured."""

    @staticmethod
    def get_settings(attr, *args):
        return provider_setting(attr, *(args or ("",)))

    def authenticate(self, request, **kwargs):
        match = getattr(request, "resolver_match", None) if request is not None else None
        if not sso_enabled() or match is None or match.url_name != "oidc_authentication_callback":
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims):
        return bool(super().verify_claims(claims) and claims.get("email") and claims.get("email_verified") is True)

    def filter_users_by_claims(self, claims):
        email = claims.get("email")
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True, role__in=CLINICIANS)

    def update_user(self, user, claims):
        claim = provider_setting("OIDC_ROLE_CLAIM", "")
        role = claims.get(claim) if claim else None
        if role is None:
            return user
        if role not in CLINICIANS:
            log.warning("sso refused: role claim is no staff role", extra={"user_id": user.pk})
            return None
        if user.role != role:
            user.role = role
            user.save(update_fields=["role"])
        return user

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            log.info("sso refused: no staff account for the verified e-mail")
        return user


def _only_when_enabled(view):
    def wrapped(request, *args, **kwargs):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured")
        return view(request, *args, **kwargs)

    return wrapped


class StartView(OIDCAuthenticationRequestView):
    get_settings = staticmethod(StaffOIDCBackend.get_settings)


class CallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(StaffOIDCBackend.get_settings)


sso_start = _only_when_enabled(StartView.as_view())
sso_callback = _only_when_enabled(CallbackView.as_view())


def _key(code: str) -> str:
    return HANDOFF_PREFIX + hashlib.sha256(code.encode()).hexdigest()


def sso_handoff_create(*, user) -> str:
    code = secrets.token_urlsafe(32)
    cache.set(_key(code), user.pk, timeout=provider_setting("SSO_HANDOFF_SECONDS", 60))
    return code


def sso_handoff_redeem(*, code: str):
    """The user the code was made for, the first time only (the cache's delete tells which caller won)."""
    key = _key(code)
    user_id = cache.get(key)
    if user_id is None or not cache.delete(key):
        return None
    return auth.get_user_model().objects.filter(pk=user_id, is_active=True, role__in=CLINICIANS).first()


@never_cache
@_only_when_enabled
def sso_complete(request):
    user = request.user
    # only a session the OIDC callback just made: never an admin's password session (which could bypass
    # STAFF_LOCAL_PASSWORDS) turned into API tokens by a link
    if not user.is_authenticated or request.session.get(auth.BACKEND_SESSION_KEY) != OIDC_BACKEND:
        return HttpResponseRedirect(provider_setting("LOGIN_REDIRECT_URL_FAILURE", "/"))
    code = sso_handoff_create(user=user)
    auth.logout(request)  # the API works with tokens; no Django session outlives the hand-off
    return HttpResponseRedirect(f"/signin#sso={code}")


class SsoInfoView(APIView):
    """What the sign-in screen offers: the SSO button (and its label) and whether staff may use a password."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses=inline_serializer(
            "SsoInfo",
            {
                "enabled": serializers.BooleanField(),
                "provider": serializers.CharField(help_text="The organisation's name for the button"),
                "login_url": serializers.CharField(allow_null=True, help_text="Where the button goes"),
                "staff_local_passwords": serializers.BooleanField(),
            },
        )
    )
    def get(self, request):
        enabled = sso_enabled()
        return Response(
            {
                "enabled": enabled,
                "provider": provider_setting("OIDC_PROVIDER_NAME", ""),
                "login_url": "/oidc/authenticate/" if enabled else None,
                "staff_local_passwords": bool(settings.STAFF_LOCAL_PASSWORDS),
            }
        )


class ExchangeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=128, help_text="The one-time code from /signin#sso=…")


class SsoExchangeView(APIView):
    """The one-time code from a single sign-on → ``{access, refresh}``; a code works once, within a minute."""

    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]
    throttle_scope = "login"
    parser_classes = [LimitedJSONParser]

    @extend_schema(
        request=ExchangeSerializer,
        responses={
            200: inline_serializer(
                "SsoTokens", {"access": serializers.CharField(), "refresh": serializers.CharField()}
            ),
            401: OpenApiResponse({"$ref": "#/components/schemas/Error"}, "Unknown, expired or used code"),
        },
    )
    def post(self, request):
        body = ExchangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = sso_handoff_redeem(code=body.validated_data["code"])
        if user is None:
            raise refused(EXCHANGE_FAILED, "sso_code_invalid")
        return Response(token_pair(user, **{SSO_CLAIM: True}))
