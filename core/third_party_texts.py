"""Messages of libraries that ship no Danish, listed so ``makemessages`` puts them in the project's catalogue
(locale/da/LC_MESSAGES/django.po), which Django reads before the libraries' own. Never imported."""

from django.utils.translation import gettext_noop

SIMPLEJWT = (
    gettext_noop("No active account found with the given credentials"),
    gettext_noop("Given token not valid for any token type"),
    gettext_noop("Token is invalid or expired"),
    gettext_noop("Token is invalid"),
    gettext_noop("Token is expired"),
    gettext_noop("Token is blacklisted"),
    gettext_noop("User not found"),
    gettext_noop("User is inactive"),
)
