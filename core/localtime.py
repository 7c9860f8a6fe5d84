"""The one place a patient's local time and "today" come from."""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone

# IANA area/location names ("Europe/Copenhagen"); not "localtime", "Factory", "EST5EDT", "US/Eastern" or "Etc/…".
AREAS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(n for n in available_timezones() if n.split("/", 1)[0] in AREAS and "/" in n) | {"UTC"}


def is_valid_timezone(name: str) -> bool:
    """A canonical IANA area/location name (or UTC), as a patient's phone reports it."""
    return name in _zone_names()


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_now(tz_name: str, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(zone(tz_name))


def local_today(tz_name: str, now: dt.datetime | None = None) -> dt.date:
    """The patient-local calendar date at ``now`` (default: the current instant)."""
    return local_now(tz_name, now).date()
