"""The language a user reads the server's texts in: the one stored on the user (chosen in the app), else the
request's ``Accept-Language`` (LocaleMiddleware), else English. The languages are ``settings.LANGUAGES``; the
Danish texts are in ``locale/da/LC_MESSAGES/django.po`` (compiled by ``manage.py compile_translations``)."""

from __future__ import annotations

from contextlib import AbstractContextManager

from django.conf import settings
from django.utils import translation


def language_of(user) -> str:
    """The user's chosen language code, or the site's default when they have chosen none."""
    code = getattr(user, "language", "") or ""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def language_activate_for(*, request, user) -> None:
    """Answer this request in ``user``'s chosen language (when they have one; else Accept-Language stays)."""
    code = getattr(user, "language", "") or ""
    if code in dict(settings.LANGUAGES):
        translation.activate(code)
        request.LANGUAGE_CODE = code


def language_override_for(user) -> AbstractContextManager:
    """Texts built outside a request (notifications, e-mails) in the recipient's language."""
    return translation.override(language_of(user))


class UserLanguageMiddleware:
    """After LocaleMiddleware: a signed-in (session) user's stored language wins over Accept-Language. Token
    users are switched by the JWT authentication class, which runs inside the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language_activate_for(request=request, user=user)
        return self.get_response(request)
