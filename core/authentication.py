"""API authentication: simplejwt's, with the patient record loaded in the user's own query."""

from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication


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


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme stays simplejwt's "jwtAuth" (drf-spectacular matches the exact class)."""

    target_class = "core.authentication.JWTAuthentication"
