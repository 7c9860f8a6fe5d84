"""API authentication: simplejwt's, with the patient record loaded in the user's own query."""

from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.exceptions import PermissionDenied
from rest_framework_simplejwt import authentication

from .mfa import user_must_enrol

# What a clinician who must set up a second factor (STAFF_MFA_REQUIRED) may still do: see who they are,
# enrol, refresh and sign out.
ENROLMENT_VIEWS = {"me", "mfa", "mfa-totp", "mfa-totp-confirm", "logout", "token-refresh"}
ENROL_FIRST = "Set up two-factor sign-in first (the app shows how): this clinic requires it."
SSO_CLAIM = "sso"  # tokens from a single sign-on: the identity provider's policy covers the second factor


class _UsersWithPatient:
    """The user model as simplejwt's ``get_user`` uses it (``objects.get`` and ``DoesNotExist``), joining the
    patient record and its clinic: a patient's request then costs one query for who they are, not three."""

    def __init__(self, model):
        self.model = model
        self.DoesNotExist = model.DoesNotExist

    @property
    def objects(self):
        return self.model.objects.select_related("patient__clinic")


class JWTAuthentication(authentication.JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = _UsersWithPatient(self.user_model)

    def authenticate(self, request):
        answer = super().authenticate(request)
        if answer is None:
            return None
        user, token = answer
        match = getattr(request._request, "resolver_match", None)
        if (
            not token.get(SSO_CLAIM)
            and (match is None or match.url_name not in ENROLMENT_VIEWS)
            and user_must_enrol(user=user)
        ):
            raise PermissionDenied({"detail": ENROL_FIRST, "code": "otp_enrolment_required"})
        return answer


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme stays simplejwt's "jwtAuth" (drf-spectacular matches the exact class)."""

    target_class = "core.authentication.JWTAuthentication"
