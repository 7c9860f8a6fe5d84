"""One reminder sweep over 100,000 patients with active programs (targets in bench/RESULTS.md).

Seeds the patients in bulk, all in one zone so that every one of them is due at
the same minute (the worst case), then times one sweep — selection, the
exactly-once rows, and queueing the delivery chunks on Redis — and counts its
queries; then the same for a minute when nobody is due; then processes every
queued chunk in this process, as the workers would (claim, notification, deliveries),
and prints the rate. Targets: the sweep <= 2 s with a query count that does
not grow with the number of patients; processing >= 2,000 reminders/s.

    .venv/bin/python bench/reminders.py [--patients 100000]
"""

import argparse
import datetime as dt
import json
import time
from zoneinfo import ZoneInfo

from common import analyze, use_fresh_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=100_000)
    args = parser.parse_args()
    use_fresh_database("rehab_bench_reminders")
    from common import count_queries
    from django.db import connection

    from notifications import reminders, tasks
    from rehab_tracker.celery import app
    from rehab_tracker.demo import seed_bulk

    began = time.perf_counter()
    seed_bulk(patients=args.patients, weeks=3, zones=["Europe/Copenhagen"], protocols=["alfredson"], logs=False)
    print(f"seeded {args.patients:,} patients with active programs in {time.perf_counter() - began:.1f} s")
    analyze()

    local = dt.datetime.now(ZoneInfo("Europe/Copenhagen")).replace(hour=19, minute=0, second=30, microsecond=0)
    due_minute = local.astimezone(dt.UTC)
    app.control.purge()
    quiet_minute = due_minute - dt.timedelta(hours=5)
    sweeps = {}
    for label, now in (("nobody due (14:00)", quiet_minute), ("all due (19:00)", due_minute)):
        with count_queries(connection) as queries:
            began = time.perf_counter()
            ids = reminders.sweep(now=now)
            chunk = 500
            for start in range(0, len(ids), chunk):
                tasks.process_reminders.delay(ids[start : start + chunk])
            seconds = time.perf_counter() - began
        print(f"sweep, {label:<20} {len(ids):>7,} reminders queued in {seconds:6.2f} s with {queries.count} queries")
        sweeps["due" if ids else "none_due"] = {"reminders": len(ids), "seconds": round(seconds, 2),
                                                "queries": queries.count}  # fmt: skip
    app.control.purge()
    print("target: sweep <= 2 s, queries independent of the number of patients")
    from notifications.models import Notification, Reminder

    began = time.perf_counter()
    with count_queries(connection) as queries:
        for start in range(0, len(ids), chunk):
            reminders.process(reminder_ids=ids[start : start + chunk], now=due_minute)
    seconds = time.perf_counter() - began
    sent = Reminder.objects.filter(status="sent").count()
    print(f"processing: {sent:,} reminders sent and {Notification.objects.count():,} notifications stored in "
          f"{seconds:.1f} s = {sent / seconds:,.0f}/s with {queries.count} statements "
          f"({queries.count / max(1, len(ids) // chunk):.0f} a chunk of {chunk}); target >= 2,000/s")  # fmt: skip
    print(json.dumps({"bench": "reminders", "patients": args.patients, "sweep": sweeps, "sent": sent,
                      "process_seconds": round(seconds, 1), "sent_per_s": round(sent / seconds),
                      "statements_per_chunk": round(queries.count / max(1, len(ids) // chunk))}))  # fmt: skip


if __name__ == "__main__":
    main()
