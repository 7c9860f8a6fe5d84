"""The nightly evaluation of 10,000 patients with 12 weeks of logs (targets in bench/RESULTS.md).

Seeds the caseload in bulk (COPY), then times one run of the escalation ladder
(adherence over 7 and 14 days, pain, red flags, outcomes, flags) and a second
run, which must change nothing. Targets: the first run <= 10 s (an hourly run must stay far inside its hour),
with a number of queries that does not depend on how many flags it raises.

    .venv/bin/python bench/evaluate.py [--patients 10000] [--weeks 12]
"""

import argparse
import time

from common import analyze, use_fresh_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=12)
    args = parser.parse_args()
    use_fresh_database("rehab_bench_evaluate")
    from common import count_queries
    from django.db import connection

    from notifications.escalation import evaluate
    from notifications.models import Flag
    from rehab_tracker.demo import seed_bulk

    began = time.perf_counter()
    figures = seed_bulk(patients=args.patients, weeks=args.weeks)
    print(f"seeded {figures} in {time.perf_counter() - began:.1f} s")
    analyze()
    for run in ("first", "second"):
        with count_queries(connection) as queries:
            began = time.perf_counter()
            result = evaluate()
            seconds = time.perf_counter() - began
        print(f"evaluation, {run} run: {seconds:6.2f} s, {queries.count} queries, {result}")
    print(f"open flags: {Flag.objects.open().count():,}; target: first run <= 10 s")


if __name__ == "__main__":
    main()
