"""The clinic's messaging and monitoring settings, read in one place.

Each clinic may set its own (``Clinic.settings``, edited by its admins through ``PATCH /api/v1/clinics/{id}/``);
the Django settings (environment) are the install's defaults. Callers ask ``clinic_settings(clinic)`` and never
read the settings themselves. The clinic's time zone is the install's (``CLINIC_TIMEZONE``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from core.localtime import local_now
from patients.clinics import clinic_setting
from patients.models import Clinic


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


def clinic_settings(clinic: Clinic | None = None) -> ClinicSettings:
    """The messaging and RTM settings of ``clinic`` (None: the install's)."""

    def value(name):
        return clinic_setting(clinic, name)

    return ClinicSettings(
        timezone=settings.CLINIC_TIMEZONE,
        open_weekdays=tuple(value("CLINIC_OPEN_WEEKDAYS")),
        opens_at=dt.time.fromisoformat(value("CLINIC_OPENS_AT")),
        closes_at=dt.time.fromisoformat(value("CLINIC_CLOSES_AT")),
        reply_within_hours=value("MESSAGE_REPLY_WITHIN_HOURS"),
        quick_replies=tuple(value("MESSAGE_QUICK_REPLIES")),
        rtm_enabled=value("RTM_ENABLED"),
        rtm_data_day=value("RTM_DATA_DAY"),
    )
