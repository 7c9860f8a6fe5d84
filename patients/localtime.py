"""The one place a patient's local time and "today" come from."""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_valid_timezone(name: str) -> bool:
    return name in _zone_names()


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_now(tz_name: str, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(zone(tz_name))


def local_today(tz_name: str, now: dt.datetime | None = None) -> dt.date:
    """The patient-local calendar date at ``now`` (default: the current instant)."""
    return local_now(tz_name, now).date()
