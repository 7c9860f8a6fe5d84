"""Week-on-week means, as the pain rules and the caseload's trend compare them (docs/clinical.md §5)."""

import datetime as dt
from collections.abc import Mapping


def week_on_week(per_day: Mapping[dt.date, tuple[float, int]], today: dt.date) -> tuple[float | None, float | None]:
    """Mean of the last 7 finished days (1–7 days ago) and of the 7 before them (8–14), from (total, count)."""

    def mean(first: int, last: int) -> float | None:
        picked = [v for d, v in per_day.items() if first <= (today - d).days <= last]
        count = sum(n for _, n in picked)
        return sum(t for t, _ in picked) / count if count else None

    return mean(1, 7), mean(8, 14)
