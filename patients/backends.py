"""Sign-in by username, e-mail address or mobile number (patients never learn their generated username)."""

from django.contrib.auth.backends import ModelBackend

from .selectors import user_for_sign_in


class SignInNameBackend(ModelBackend):
    """Django's ModelBackend, with ``username`` resolved first: a username (any case), else the e-mail address
    or mobile number of exactly one active account. A wrong name costs the same password hashing as a wrong
    password (ModelBackend's timing defence)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        user = user_for_sign_in(identifier=username)
        return super().authenticate(request, username=user.username if user else username, password=password, **kwargs)
