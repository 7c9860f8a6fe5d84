"""Default reminder times per protocol (SPEC §4; settings a clinic may change)."""

from django.conf import settings

from .protocols import PROTOCOLS


def default_reminder_times(protocol: str | None) -> list[str]:
    if protocol is None:
        return []
    return list(settings.REMINDER_TIMES_ALFREDSON if PROTOCOLS[protocol].daily else settings.REMINDER_TIMES_HSR)
