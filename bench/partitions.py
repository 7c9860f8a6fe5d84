"""Partitioned set logs at size: the same requests with a baseline and with ``--rows`` set logs stored.

Seeds two databases alike: 500 patients in week 8 of their programs with their own logs (a physio with 300 of
them for the caseload, all 500 one evaluation chunk), one patient who posts, and background history (old,
completed programs of ``--history-patients`` patients with set logs spread over the ``--months`` months before
today, generated in the database) until ``--baseline`` set logs are stored in the one and ``--rows`` in the
other; each is vacuumed and checkpointed after its seeding (so neither autovacuum nor the seeding's writes are at
work while the figures are taken). Then ``--rounds`` rounds on each, taking turns: through gunicorn (2
workers) ``POST /logs/batch/`` throughput, ``GET /today/`` latency and the caseload p95 (``?ordering=risk``,
300 patients), and in process the evaluation of one chunk (``notifications.evaluation_runs``, time and
queries). Each figure is the median of its rounds (the lower middle one for an even number). Prints the
large database's size per partition.
``--reuse`` keeps both databases of a run before (``BENCH_KEEP_DATABASE=1`` keeps them) when they hold the rows.

Targets: batch throughput and /today/ latency within 1.2x of the baseline; caseload p95 and the chunk unchanged.

    .venv/bin/python bench/partitions.py [--rows 50000000] [--baseline 1000000] [--rounds 5] [--reuse]
"""

import argparse
import datetime as dt
import json
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from common import (
    count_queries,
    fresh_database,
    lift_write_limits,
    start_gunicorn,
    switch_database,
    use_fresh_database,
    vacuum_analyze,
)
from ingest import BATCH, make_batches

PASSWORD = "bench-pass-2026"
EXERCISES = ["eccentric_heel_drop_straight", "eccentric_heel_drop_bent", "seated_calf_raise", "standing_calf_raise"]


def _seed_people(history_patients: int, months: int):
    from exercises import partitions
    from exercises.models import Program
    from patients.services import clinician_create, patient_create
    from rehab_tracker.demo import seed_bulk

    today = dt.date.today()
    first = partitions.month_of(today - dt.timedelta(days=31 * months))
    partitions.setlog_partitions_ensure(today=today, since=first)
    seed_bulk(patients=500, weeks=8, per_physio=300)
    physio = clinician_create(username="bench-physio", role="physio", password=PASSWORD)
    physician = clinician_create(username="bench-physician", role="physician", password=PASSWORD)
    poster = patient_create(username="bench-poster", password=PASSWORD, timezone="UTC", side="left",
                            tendinopathy="midportion", physio=physio, physician=physician)  # fmt: skip
    Program.objects.create(patient=poster, protocol="alfredson", start_date=today - dt.timedelta(days=82))
    before = Program.objects.order_by("-id").values_list("id", flat=True).first()
    history = seed_bulk(patients=history_patients, weeks=12, per_physio=1000, logs=False)
    old = Program.objects.filter(id__gt=before)  # history: programs that ended long ago
    old.update(status="completed", start_date=first, end_date=first + dt.timedelta(days=83))
    programs = list(old.values_list("id", "patient_id"))
    return programs, first, history


def _stored() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM exercises_setlog")
        return cursor.fetchone()[0]


def _add_history(programs: list[tuple[int, int]], first: dt.date, rows: int) -> float:
    """``rows`` more set logs of old programs, dated over the days from ``first`` to yesterday.

    Generated in the database (INSERT ... SELECT, a million rows a statement) in date order, so each statement
    fills one or two months' partitions and their indexes rather than every month's at once. Their client ids
    count up (a counter, then hash bits, as a UUIDv7 leads with its time), so the lookup's B-tree grows at its
    right edge; a phone's random UUIDv4 is what the measured requests send. The arithmetic is in bigint: fifty
    million rows times some 730 days passes a 32-bit integer.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    if rows <= 0:
        return 0.0
    span = (dt.date.today() - first).days
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM exercises_setlog")
        offset = cursor.fetchone()[0]  # the counter goes on from the rows stored
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_programs (r int PRIMARY KEY, program int, patient int)")
        cursor.execute("TRUNCATE bench_programs")
        with cursor.copy("COPY bench_programs (r, program, patient) FROM STDIN") as copy:
            for r, (program_id, patient_id) in enumerate(programs):
                copy.write_row((r, program_id, patient_id))
    done = 0
    while done < rows:
        part = min(1_000_000, rows - done)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO exercises_setlog
                    (client_id, patient_id, program_id, date, week, exercise, reps, load_kg, pain, session, side,
                     created_at)
                SELECT (lpad(to_hex(%(offset)s::bigint + g), 16, '0') || left(md5(g::text), 16))::uuid, p.patient,
                       p.program, %(first)s::date + ((%(done)s::bigint + g - 1) * %(span)s / %(rows)s)::int,
                       1 + g %% 12, (%(exercises)s::text[])[1 + g %% 4], 15, 0, g %% 8,
                       CASE WHEN g %% 2 = 1 THEN 'am' ELSE 'pm' END, 'left', %(now)s
                FROM generate_series(1, %(part)s) AS g
                JOIN bench_programs p ON p.r = ((%(offset)s::bigint + g) %% %(n)s)::int
                """,
                {"offset": offset + done, "first": first, "done": done, "span": span, "rows": rows, "part": part,
                 "exercises": EXERCISES, "now": timezone.now(), "n": len(programs)},
            )  # fmt: skip
        done += part
        print(f"  history: {done:,} of {rows:,} more set logs ({time.perf_counter() - began:.0f} s)", flush=True)
    return time.perf_counter() - began


def _vacuum() -> float:
    """Every table vacuumed and analysed after seeding (``common.vacuum_analyze``)."""
    seconds = vacuum_analyze()
    print(f"  vacuumed in {seconds:.0f} s", flush=True)
    return seconds


def _quantiles(times: list[float]) -> tuple[float, float]:
    return round(statistics.median(times), 1), round(statistics.quantiles(times, n=20)[-1], 1)


def _forget_posted() -> None:
    """Every round starts with the poster's program as empty as the first: else each round's batches (10,000
    sets) would stay, and /today/ in the large run would read a program holding twice the baseline's sets."""
    from django.db import connection

    from patients.models import Patient

    poster = Patient.objects.get(user__username="bench-poster")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM exercises_setlog WHERE patient_id = %s", [poster.id])  # the lookup follows
    connection.close()  # gunicorn's workers are forked next


def _http(batches: int, clients: int) -> dict:
    import requests

    from patients.models import User
    from rehab_tracker.demo import DEMO_PASSWORD

    caseload = User.objects.filter(role="physio", username__startswith="bulk-").order_by("id").first()
    _forget_posted()
    server, port = start_gunicorn()
    try:
        base = f"http://127.0.0.1:{port}/api/v1"

        def sign_in(username: str, password: str) -> dict:
            token = requests.post(f"{base}/auth/token/", json={"username": username, "password": password})
            return {"Authorization": f"Bearer {token.json()['access']}"}

        poster, physio = sign_in("bench-poster", PASSWORD), sign_in(caseload.username, DEMO_PASSWORD)
        start = dt.date.today() - dt.timedelta(days=82)
        requests.post(f"{base}/logs/batch/", json=make_batches(1, start)[0], headers=poster).raise_for_status()

        def post(batch):
            with requests.Session() as session:
                response = session.post(f"{base}/logs/batch/", json=batch, headers=poster, timeout=60)
                response.raise_for_status()
                return sum(r["status"] == "created" for r in response.json()["results"])

        work = make_batches(batches, start)
        began = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            created = sum(pool.map(post, work))
        seconds = time.perf_counter() - began
        assert created == batches * BATCH, f"only {created} created"
        figures = {"batch_sets_per_s": round(created / seconds)}
        with requests.Session() as session:
            for name, url, headers in (("today", "/today/", poster), ("caseload", "/patients/?ordering=risk", physio)):
                for _ in range(6):  # warm both workers
                    session.get(base + url, headers=headers).raise_for_status()
                times = []
                for _ in range(100 if name == "today" else 60):
                    began = time.perf_counter()
                    session.get(base + url, headers=headers).raise_for_status()
                    times.append((time.perf_counter() - began) * 1000)
                figures[f"{name}_p50_ms"], figures[f"{name}_p95_ms"] = _quantiles(times)
    finally:
        server.terminate()
        server.wait()
    return figures


def _chunk() -> dict:
    from django.db import connection

    from notifications.evaluation_runs import evaluation_chunk_ids, evaluation_chunk_run, evaluation_plan
    from notifications.models import Delivery, EvaluationRun, Flag, Notification

    for model in (Delivery, Notification, Flag, EvaluationRun):
        model.objects.all().delete()
    run = evaluation_plan(chunk_size=500)
    began = time.perf_counter()
    with count_queries(connection) as queries:
        evaluation_chunk_run(chunk_id=evaluation_chunk_ids(run=run)[0])
    return {"chunk_seconds": round(time.perf_counter() - began, 2), "chunk_queries": queries.count}


def _round(url: str, batches: int, clients: int) -> dict:
    """One round of every figure on the database at ``url``."""
    from django.db import connection

    switch_database(url)
    _chunk()  # untimed: the new connection's first chunk pays for its caches (catalog, plans) on either size
    figures = _chunk()
    connection.close()
    return figures | _http(batches, clients)


def _measure(urls: dict[str, str], batches: int, clients: int, rounds: int) -> dict[str, dict]:
    """``rounds`` rounds on each database, taking turns (baseline, large, then large, baseline, ...), so that
    whatever else the machine does at a moment weighs on both alike; each figure is the median of its rounds.
    (Measured one after the other, the same 1 M database twice gave ratios from 1.01x to 1.3x.)"""
    runs: dict[str, list[dict]] = {label: [] for label in urls}
    for n in range(rounds):
        for label in list(urls)[:: 1 if n % 2 == 0 else -1]:
            runs[label].append(_round(urls[label], batches, clients))
    measured = {}
    for label, url in urls.items():
        switch_database(url)
        medians = {k: statistics.median_low(r[k] for r in runs[label]) for k in runs[label][0]}
        measured[label] = {"rows": _stored(), **medians}
        print(f"{label}: " + ", ".join(f"{k} {v}" for k, v in measured[label].items()), flush=True)
    return measured


def _seed(name: str, rows: int, history_patients: int, months: int, reuse: bool) -> tuple[str, float, float]:
    """Database ``name`` with the people and ``rows`` set logs (kept as it is with ``reuse`` when it holds
    them), vacuumed and checkpointed; returns its URL and the seconds the history and the vacuum took."""
    from django.db import connection

    url = fresh_database(name, reuse=reuse)
    switch_database(url)
    if reuse and _stored() >= rows:
        print(f"{name}: reused, {_stored():,} set logs", flush=True)
        return url, 0.0, _vacuum()  # the last run's dead rows (the poster's sets, the chunk's flags) go
    if reuse:  # too few rows to reuse: seeded afresh
        url = fresh_database(name)
        switch_database(url)
    began = time.perf_counter()
    programs, first, history = _seed_people(history_patients, months)
    print(f"{name}: seeded {history['patients']:,} history patients and 501 current ones in "
          f"{time.perf_counter() - began:.0f} s", flush=True)  # fmt: skip
    seconds = _add_history(programs, first, rows - _stored())
    vacuum = _vacuum()
    with connection.cursor() as cursor:  # the seeding's writes on disk now, not during the measurement
        cursor.execute("CHECKPOINT")
    return url, seconds, vacuum


def _sizes() -> dict:
    from django.db import connection

    from exercises import partitions

    parts = [
        {"name": p.name, "rows": p.rows, "mb": round(p.bytes / 2**20, 1)} for p in partitions.setlog_partitions_list()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_total_relation_size('{partitions.LOOKUP}'), pg_database_size(current_database())")
        lookup, database = cursor.fetchone()
    for p in parts:
        print(f"  {p['name']:<28} {p['rows']:>12,} rows {p['mb']:>10,.1f} MB")
    print(f"  {partitions.LOOKUP:<28} {'':>17} {lookup / 2**20:>10,.1f} MB   database {database / 2**20:,.0f} MB")
    return {"partitions": parts, "lookup_mb": round(lookup / 2**20, 1), "database_mb": round(database / 2**20)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000_000, help="set logs stored for the second measurement")
    parser.add_argument("--baseline", type=int, default=1_000_000, help="set logs stored for the first")
    parser.add_argument("--history-patients", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=24, help="months of history before today")
    parser.add_argument("--batches", type=int, default=20, help="batches of 500 posted per measurement")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5, help="rounds on each database, taking turns; medians count")
    parser.add_argument("--reuse", action="store_true", help="keep the databases of a run before if they hold the rows")
    args = parser.parse_args()

    use_fresh_database("rehab_bench_partitions_base", reuse=True)  # Django set up; _seed makes it fresh unless --reuse
    lift_write_limits()
    people = (args.history_patients, args.months, args.reuse)
    base_url, _, _ = _seed("rehab_bench_partitions_base", args.baseline, *people)
    large_url, seeding, vacuum = _seed("rehab_bench_partitions", args.rows, *people)
    os.sync()
    measured = _measure({"baseline": base_url, "large": large_url}, args.batches, args.clients, args.rounds)
    base, big = measured["baseline"], measured["large"]
    sizes = _sizes()
    ratios = {
        "batch_ratio": round(base["batch_sets_per_s"] / big["batch_sets_per_s"], 2),  # time per set, large / baseline
        "today_ratio": round(big["today_p50_ms"] / base["today_p50_ms"], 2),
        "caseload_p95_ratio": round(big["caseload_p95_ms"] / base["caseload_p95_ms"], 2),
        "chunk_ratio": round(big["chunk_seconds"] / max(base["chunk_seconds"], 0.01), 2),
    }
    print(
        f"large over baseline: time per batched set {ratios['batch_ratio']}x, /today/ p50 {ratios['today_ratio']}x, "
        f"caseload p95 {ratios['caseload_p95_ratio']}x, one chunk {ratios['chunk_ratio']}x (targets <= 1.2x); "
        f"history seeded in {seeding:.0f} s"
    )
    summary = {"bench": "partitions", "rows": big["rows"], "baseline_rows": base["rows"], "baseline": base,
               "large": big, **ratios, "seed_rows_per_s": round(big["rows"] / seeding) if seeding else None,
               "vacuum_seconds": round(vacuum), **sizes}  # fmt: skip
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
