"""Set logs partitioned by month on PostgreSQL (docs/api.md "Partitioned set logs").

``exercises_setlog`` is a table partitioned by range of ``date``: one partition a month
(``exercises_setlog_y2026m12``) and a default partition for any date no month partition holds yet. A partitioned
table's unique index must include the partition key, so the client id's uniqueness lives in a lookup table,
``exercises_setlog_client_id`` (the client id its primary key), written by statement triggers in the same
statement as the set logs: an INSERT of a client id stored already (in any month) fails with a unique violation,
as the plain table's unique index did, so every caller's idempotency stays exact. A DELETE removes the client ids,
a TRUNCATE empties the lookup. The primary key is (id, date); ids still come from one sequence and stay unique.

On any other database (SQLite, the embedded default) the table stays plain and every function here does nothing.
"""

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

PARENT = "exercises_setlog"
DEFAULT = "exercises_setlog_default"
LOOKUP = "exercises_setlog_client_id"
_LOCK = 72_315_001  # the advisory lock that serialises changes to the partitions


class PartitionNotArchivable(Exception):
    """A partition still holds sets of patients not yet past the retention."""


@dataclass(frozen=True)
class Partition:
    name: str
    start: dt.date | None  # None for the default partition
    end: dt.date | None
    rows: int
    bytes: int


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(month: dt.date) -> str:
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def is_partitioned(conn=None) -> bool:
    conn = conn or connection
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT relkind FROM pg_class WHERE relname = %s AND relnamespace = current_schema()::regnamespace",
            [PARENT],
        )
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def stored_client_ids(client_ids: list) -> set | None:
    """Which of these client ids are stored, from the lookup (one index probe an id, where a query on the set
    logs probes every month's index); None where the set logs are a plain table (ask them)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT client_id FROM {LOOKUP} WHERE client_id = ANY(%s)", [client_ids])
        return {row[0] for row in cursor.fetchall()}


def _months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def _existing(cursor) -> set[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
        [PARENT],
    )
    return {name for (name,) in cursor.fetchall()}


def _create_month(cursor, month: dt.date) -> None:
    """One month's partition; rows of that month waiting in the default partition move into it."""
    name, start, end = partition_name(month), month.isoformat(), next_month(month).isoformat()
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT} WHERE date >= %s AND date < %s)", [start, end])
    if not cursor.fetchone()[0]:
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES FROM ('{start}') TO ('{end}')")
        return
    # Rows of the month are in the default partition: it is detached while they move (the statement triggers
    # are the parent's, so a move between partitions leaves the client-id lookup as it is).
    cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {DEFAULT}")
    cursor.execute(f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES FROM ('{start}') TO ('{end}')")
    cursor.execute(f"INSERT INTO {name} SELECT * FROM {DEFAULT} WHERE date >= %s AND date < %s", [start, end])
    cursor.execute(f"DELETE FROM {DEFAULT} WHERE date >= %s AND date < %s", [start, end])
    cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {DEFAULT} DEFAULT")


def setlog_partitions_ensure(
    *, today: dt.date, months_ahead: int | None = None, since: dt.date | None = None
) -> list[str]:
    """Create the month partitions from this month (or from ``since``'s, for an import of older sets) to
    ``months_ahead`` months ahead, and one for every month whose sets wait in the default partition.
    Idempotent (two at once: one waits for the other's lock). Returns the partitions it created."""
    if not is_partitioned():
        return []
    ahead = settings.SETLOG_PARTITION_MONTHS_AHEAD if months_ahead is None else months_ahead
    last = month_of(today)
    for _ in range(ahead):
        last = next_month(last)
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        existing = _existing(cursor)
        cursor.execute(f"SELECT DISTINCT date_trunc('month', date)::date FROM {DEFAULT}")
        waiting = {month for (month,) in cursor.fetchall()}
        for month in sorted(waiting | set(_months_between(min(since or today, today), last))):
            if partition_name(month) not in existing:
                _create_month(cursor, month)
                created.append(partition_name(month))
    return created


def setlog_partitions_list() -> list[Partition]:
    """Every partition with its rows (the planner's estimate, exact after ANALYZE) and its size on disk."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), greatest(c.reltuples, 0)::bigint, "
            "pg_total_relation_size(c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY c.relname",
            [PARENT],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound, estimate, size in rows:
        start = end = None
        if bound != "DEFAULT":  # FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')
            start, end = (dt.date.fromisoformat(part.split("'")[1]) for part in bound.split(" TO "))
        found.append(Partition(name=name, start=start, end=end, rows=estimate, bytes=size))
    return found


def _not_past_retention(cursor, name: str, cutoff: dt.date) -> int:
    """Patients with sets in ``name`` whose record is still open: a current program, or a program whose last
    day is after ``cutoff``."""
    cursor.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT patient_id FROM {name}) s WHERE EXISTS ("
        "SELECT 1 FROM exercises_program p WHERE p.patient_id = s.patient_id AND "
        "(p.status IN ('active', 'paused') OR coalesce(p.stopped_on, p.end_date) > %s))",
        [cutoff],
    )
    return cursor.fetchone()[0]


def setlog_partitions_archive(*, before: dt.date, archive_dir: Path, today: dt.date) -> list[Path]:
    """Write every month partition that ends on or before ``before`` to ``archive_dir`` as CSV (one file a
    partition, written and synced before anything is dropped), then detach and drop it and forget its client
    ids. Refuses (``PartitionNotArchivable``, nothing changed) when a partition holds sets of a patient not yet
    past the retention (``SETLOG_RETENTION_DAYS`` after their last program's last day): their sets must stay
    in the database, where the patient's export and erasure find them."""
    if not is_partitioned():
        return []
    cutoff = today - dt.timedelta(days=settings.SETLOG_RETENTION_DAYS)
    chosen = [p for p in setlog_partitions_list() if p.end is not None and p.end <= before]
    with connection.cursor() as cursor:
        for p in chosen:
            open_records = _not_past_retention(cursor, p.name, cutoff)
            if open_records:
                raise PartitionNotArchivable(
                    f"{p.name} holds sets of {open_records} patient(s) not yet past the retention "
                    f"({settings.SETLOG_RETENTION_DAYS} days after their last program): nothing was archived."
                )
    archive_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for p in chosen:
        path = archive_dir / f"{p.name}.csv"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
            cursor.execute(f"LOCK TABLE {p.name} IN SHARE MODE")  # nobody writes it while it is copied
            if _not_past_retention(cursor, p.name, cutoff):
                raise PartitionNotArchivable(f"{p.name} got sets of a patient not past the retention meanwhile.")
            partial = path.with_suffix(".csv.partial")
            with (
                open(partial, "wb") as out,
                cursor.cursor.copy(
                    f"COPY (SELECT * FROM {p.name} ORDER BY date, id) TO STDOUT WITH (FORMAT csv, HEADER true)"
                ) as copy,
            ):
                for chunk in copy:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)
            cursor.execute(f"ALTER TABLE {PARENT} DETACH PARTITION {p.name}")
            cursor.execute(f"DELETE FROM {LOOKUP} l USING {p.name} s WHERE l.client_id = s.client_id")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred foreign-key checks of its rows: now
            cursor.execute(f"DROP TABLE {p.name}")
        written.append(path)
    return written
