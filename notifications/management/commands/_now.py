import datetime as dt

from django.core.management.base import CommandError


def parse_now(value: str | None) -> dt.datetime | None:
    """``--now``: an ISO 8601 instant with an offset (e.g. 2026-03-29T01:00:00+00:00)."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--now {value!r} is not ISO 8601.") from exc
    if moment.tzinfo is None:
        raise CommandError("--now needs a UTC offset, e.g. 2026-03-29T08:00:00+02:00.")
    return moment
