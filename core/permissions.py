"""Roles (docs/api.md §2) and the gates for writes. Reads are scoped by querysets (patients.scope), not here."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import CLINICIANS, Role, role_of

PATIENT, PHYSIO, PHYSICIAN, ADMIN = Role.PATIENT, Role.PHYSIO, Role.PHYSICIAN, Role.ADMIN
__all__ = ["ADMIN", "CLINICIANS", "PATIENT", "PHYSICIAN", "PHYSIO", "Role", "only_for", "role_of", "writes_for"]


def writes_for(*roles: str) -> type[BasePermission]:
    """Any authenticated user may read; only ``roles`` may write (else 403)."""

    class WritesFor(BasePermission):
        message = "Your role may not do this."

        def has_permission(self, request, view) -> bool:
            if not request.user or not request.user.is_authenticated:
                return False
            return request.method in SAFE_METHODS or role_of(request.user) in roles

    WritesFor.__name__ = f"WritesFor_{'_'.join(roles)}"
    return WritesFor


def only_for(*roles: str) -> type[BasePermission]:
    """Only ``roles`` may use the endpoint at all (else 403)."""

    class OnlyFor(BasePermission):
        message = "Your role may not do this."

        def has_permission(self, request, view) -> bool:
            return role_of(request.user) in roles

    OnlyFor.__name__ = f"OnlyFor_{'_'.join(roles)}"
    return OnlyFor
