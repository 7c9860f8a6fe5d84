"""Who a request comes from, and how much one user (or one address) may write.

``client_address`` is the one answer to "the client's address": the sign-in throttle, every write throttle
and django-axes' lockout (``AXES_CLIENT_IP_CALLABLE``) all key on it, so a forged ``X-Forwarded-For`` moves
none of them. Behind ``NUM_PROXIES`` trusted proxies it is the N-th address from the right of
``X-Forwarded-For`` (the one the outermost trusted proxy saw); with none (the default) ``REMOTE_ADDR``.

Write throttles count per signed-in user in the shared cache (anonymous writes per address); rates are the
settings in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``. A throttled request is a 429 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import ipaddress

from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    """The client's IP address as the trusted proxies saw it (a Django or DRF request)."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR")
    proxies = api_settings.NUM_PROXIES or 0
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return _valid_ip(remote) or remote
    addresses = forwarded.split(",")
    # Anything left of what the trusted proxies appended was written by the client, and is not read.
    return _valid_ip(addresses[-min(proxies, len(addresses))]) or _valid_ip(remote) or remote


class _ByClientAddress:
    def get_ident(self, request):
        return client_address(request)


class LoginRateThrottle(_ByClientAddress, ScopedRateThrottle):
    """Sign-in attempts per client address (scope ``login``)."""


class WriteRateThrottle(_ByClientAddress, UserRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE) per user: ``write_burst`` a minute, and ``write_day`` below."""

    scope = "write_burst"

    def get_rate(self):  # read when the throttle is made, so a changed setting applies to the next request
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def cost(self, request) -> int:
        return 1

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS or self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        cost = self.cost(request)
        if len(self.history) + cost > self.num_requests:
            return self.throttle_failure()
        self.history = [self.now] * cost + self.history
        self.cache.set(self.key, self.history, self.duration)
        return True

    def wait(self):
        if not self.history:
            return self.duration
        return max(1, self.duration - (self.now - self.history[-1]))


class WriteDayRateThrottle(WriteRateThrottle):
    scope = "write_day"


class SetLogRateThrottle(WriteRateThrottle):
    """Set logs per user and day, each set counted (a batch of 500 counts 500): ``set_logs``."""

    scope = "set_logs"

    def cost(self, request) -> int:
        data = request.data
        return max(1, len(data)) if isinstance(data, list) else 1


def refresh_token_user(request) -> str | None:
    """The user a refresh token in the body was issued to, when its signature and expiry hold (no database)."""
    token = request.data.get("refresh") if isinstance(request.data, dict) else None
    if not isinstance(token, str):
        return None
    try:
        claims = token_backend.decode(token, verify=True)
    except TokenBackendError:
        return None
    if claims.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh":
        return None
    user = claims.get(jwt_settings.USER_ID_CLAIM)
    return str(user) if user is not None else None


class _ByRefreshTokenUser:
    """A token refresh comes without a signed-in user (the access token has run out), so the write limits would
    count it per address, and every phone behind one carrier address (CGNAT, a hospital's Wi-Fi) would share one
    limit. Counted per the user of a refresh token that verifies *and* the address: each phone behind a shared
    address has its own limit, and someone replaying a spent or revoked token of a user (whose signature still
    holds) fills only their own address's count, never the user's everywhere. A token that does not verify
    counts per address."""

    def get_cache_key(self, request, view):
        user = refresh_token_user(request)
        if user is None:
            return super().get_cache_key(request, view)
        ident = f"refresh-{user}-{client_address(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class RefreshRateThrottle(_ByRefreshTokenUser, WriteRateThrottle):
    """``write_burst`` for token refreshes, per the token's user."""


class RefreshDayRateThrottle(_ByRefreshTokenUser, WriteDayRateThrottle):
    """``write_day`` for token refreshes, per the token's user."""


class PasswordResetRateThrottle(_ByClientAddress, SimpleRateThrottle):
    """Reset requests per client address (scope ``password_reset``)."""

    scope = "password_reset"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PasswordResetEmailRateThrottle(PasswordResetRateThrottle):
    """Reset requests per e-mail address, from wherever they come (no mailbox flooded from many addresses).
    The key is a hash: the address itself is never stored in the cache."""

    scope = "password_reset"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": f"{self.scope}_email", "ident": digest}
