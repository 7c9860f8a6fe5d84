"""The clinic's messaging and monitoring settings, read in one place.

There is one clinic today, so these are Django settings (environment defaults). A clinic model can later
answer the same questions per clinic: callers ask ``clinic_settings()`` and never read the settings
themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from core.localtime import local_now


@dataclass(frozen=True)
class ClinicSettings:
    timezone: str
    open_weekdays: tuple[int, ...]
    opens_at: dt.time
    closes_at: dt.time
    reply_within_hours: int
    quick_replies: tuple[str, ...]
    rtm_enabled: bool
    rtm_data_day: str

    def is_open(self, now: dt.datetime | None = None) -> bool:
        """Within opening hours at ``now`` (the clinic's local time)."""
        local = local_now(self.timezone, now)
        return local.weekday() in self.open_weekdays and self.opens_at <= local.time() < self.closes_at


def clinic_settings() -> ClinicSettings:
    return ClinicSettings(
        timezone=settings.CLINIC_TIMEZONE,
        open_weekdays=tuple(settings.CLINIC_OPEN_WEEKDAYS),
        opens_at=dt.time.fromisoformat(settings.CLINIC_OPENS_AT),
        closes_at=dt.time.fromisoformat(settings.CLINIC_CLOSES_AT),
        reply_within_hours=settings.MESSAGE_REPLY_WITHIN_HOURS,
        quick_replies=tuple(settings.MESSAGE_QUICK_REPLIES),
        rtm_enabled=settings.RTM_ENABLED,
        rtm_data_day=settings.RTM_DATA_DAY,
    )
