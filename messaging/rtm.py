"""Remote therapeutic monitoring (RTM) billing rules, as data, and the arithmetic on them (docs/rtm.md).

Pure: dates and minutes in, codes out. ``messaging.report`` reads the rows and calls these.

Sources (current for 2026): AMA CPT 2026 code set, Remote Therapeutic Monitoring (98975–98981, 98985);
CMS CY 2026 Physician Fee Schedule final rule (CMS-1832-F), which added 98985 (2–15 days) and 98979
(the first 10 minutes of management).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

PERIOD_DAYS = 30
SOURCE = "AMA CPT 2026; CMS CY 2026 Physician Fee Schedule final rule (CMS-1832-F)"


@dataclass(frozen=True)
class Rule:
    code: str
    kind: str  # "device" (per 30-day period), "setup" (once), "management" (per calendar month)
    description: str
    min_days: int | None = None
    max_days: int | None = None
    min_minutes: int | None = None
    per_minutes: int | None = None  # each further block of this many minutes
    needs_interaction: bool = False
    source: str = SOURCE

    def as_dict(self) -> dict:
        return asdict(self)


RULES: tuple[Rule, ...] = (
    Rule("98975", "setup", "Set-up and patient education on the device, once per episode of care", min_days=2),
    Rule("98977", "device", "Device supply, musculoskeletal, 16–30 data days in a 30-day period", 16, 30),
    Rule("98985", "device", "Device supply, musculoskeletal, 2–15 data days in a 30-day period", 2, 15),
    Rule("98979", "management", "Treatment management, first 10 minutes in a calendar month (10–19 minutes)",
         min_minutes=10, needs_interaction=True),
    Rule("98980", "management", "Treatment management, first 20 minutes in a calendar month",
         min_minutes=20, needs_interaction=True),
    Rule("98981", "management", "Treatment management, each further 20 minutes in the month",
         min_minutes=40, per_minutes=20, needs_interaction=True),
)  # fmt: skip
BY_CODE = {rule.code: rule for rule in RULES}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive: start + 29 days

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def period_containing(episode_start: dt.date, day: dt.date) -> Period:
    """The 30-day period (counted from ``episode_start``, its first day) that holds ``day``."""
    index = max((day - episode_start).days, 0) // PERIOD_DAYS
    start = episode_start + dt.timedelta(days=index * PERIOD_DAYS)
    return Period(start, start + dt.timedelta(days=PERIOD_DAYS - 1))


def periods_in_month(episode_start: dt.date, first: dt.date, last: dt.date) -> list[Period]:
    """The periods that overlap the month ``first``–``last``. A period is billed in the month it ends in
    (``ends_in``), so one that runs over the month's end is shown in both months and billed once."""
    if last < episode_start:
        return []
    periods, period = [], period_containing(episode_start, max(first, episode_start))
    while period.start <= last:
        periods.append(period)
        period = Period(period.end + dt.timedelta(days=1), period.end + dt.timedelta(days=PERIOD_DAYS))
    return periods


def ends_in(period: Period, first: dt.date, last: dt.date) -> bool:
    return first <= period.end <= last


def device_code(data_days: int) -> str | None:
    """The device-supply code ``data_days`` in one period reach (None below the least)."""
    for rule in RULES:
        if rule.kind == "device" and rule.min_days <= data_days <= rule.max_days:
            return rule.code
    return None


def nth_data_day(days: list[dt.date], period: Period, n: int) -> dt.date | None:
    """The date of the period's ``n``-th data day (the 16th: when it reaches 98977), or None."""
    inside = sorted(d for d in set(days) if d in period)
    return inside[n - 1] if len(inside) >= n else None


def management_codes(minutes: int, interactive: bool) -> list[dict]:
    """``[{code, units}]`` a month's management ``minutes`` reach; none without an interactive communication.

    20 minutes or more: 98980 once and 98981 for each further full 20; 10–19 minutes: 98979."""
    if not interactive:
        return []
    first, further = BY_CODE["98980"], BY_CODE["98981"]
    if minutes >= first.min_minutes:
        codes = [{"code": first.code, "units": 1}]
        extra = (minutes - first.min_minutes) // further.per_minutes
        return codes + ([{"code": further.code, "units": extra}] if extra else [])
    if minutes >= BY_CODE["98979"].min_minutes:
        return [{"code": "98979", "units": 1}]
    return []


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """``"2026-03"`` → (1 March, 31 March). Raises ValueError for anything else."""
    if len(month) != 7 or month[4] != "-":
        raise ValueError(month)
    first = dt.date(int(month[:4]), int(month[5:]), 1)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)
