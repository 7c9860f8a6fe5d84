"""Mobile numbers in one form: ``+`` and digits (``+45 12 34 56 78`` → ``+4512345678``)."""

import re

_SEPARATORS = re.compile(r"[\s().-]")
_FORM = re.compile(r"^\+?[0-9]{6,15}$")  # E.164 allows at most 15 digits


def normalize_phone(value: str) -> str | None:
    """The number without spaces, dots, dashes or brackets; a leading ``00`` becomes ``+``. None when it is not
    a phone number (6 to 15 digits, optionally after a ``+``)."""
    text = _SEPARATORS.sub("", value or "")
    if text.startswith("00"):
        text = "+" + text[2:]
    return text if _FORM.match(text) else None
