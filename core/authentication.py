"""API authentication: simplejwt's, with the patient record loaded in the user's own query."""

from __future__ import annotations

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication

from .language import language_activate_for


class _UsersWithPatient:
    """The user model as simplejwt's ``get_user`` uses it (``objects.get`` and ``DoesNotExist``), joining the
    patient record: a patient's request then costs one query for who they are, not two."""

    def __init__(self, model):
        self.model = model
        self.DoesNotExist = model.DoesNotExist

    @property
    def objects(self):
        return self.model.objects.select_related("patient")


class JWTAuthentication(authentication.JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = _UsersWithPatient(self.user_model)

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None:
            language_activate_for(request=request, user=found[0])  # the API answers in the user's language
        return found


class JWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme stays simplejwt's "jwtAuth" (drf-spectacular matches the exact class)."""

    target_class = "core.authentication.JWTAuthentication"
