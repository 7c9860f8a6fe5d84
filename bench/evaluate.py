"""The hourly evaluation fanned out in chunks, on one worker process and on two (targets in bench/RESULTS.md).

For each caseload size: seed the patients in week ``--weeks`` of their programs with their logs (bulk,
COPY), then for each worker count start that many real Celery worker processes on the ``evaluation``
queue, plan a run (``notifications.evaluation_runs``) and time it from the plan to its last chunk. The
database is vacuumed after seeding; flags, notifications and runs are cleared (and their tables vacuumed)
before each timing, so every timed run does the same work (that of the first run after seeding: every
rule read, every flag written) and no autovacuum runs beside it. One chunk is also run in this process to count
its queries: the number must not depend on the caseload. An untimed run on the most workers comes first, so
that every timed run finds the tables in memory (else the first timed run alone pays for reading them).

Targets: time per patient flat from 10,000 to 100,000 patients (<= 1.2x); two worker processes >= 1.6x
faster than one (this machine has two cores); queries per chunk constant.

    .venv/bin/python bench/evaluate.py [--patients 10000,100000] [--workers 1,2] [--weeks 12] [--chunk 500]

Sizes run in the order given (one process each, on a database of its own, dropped after); the growth is the
largest size's time per patient over the smallest's.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from common import ROOT, autovacuums, use_fresh_database, vacuum_analyze


def _workers(count: int) -> list[subprocess.Popen]:
    command = [sys.executable, "-m", "celery", "-A", "rehab_tracker", "worker", "-Q", "evaluation", "-P", "solo",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"]  # fmt: skip
    quiet = {"cwd": ROOT, "env": os.environ.copy(), "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    return [subprocess.Popen([*command, "-n", f"bench-eval-{n}@%h"], **quiet) for n in range(count)]


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _reset() -> None:
    """Delete the last run's flags, notifications and runs, and vacuum their tables: else autovacuum clears
    the dead rows during the next timed run (and only the runs after the first pay for it)."""
    from notifications.models import Delivery, EvaluationChunk, EvaluationRun, Flag, Notification

    models = (Delivery, Notification, Flag, EvaluationRun)
    for model in models:
        model.objects.all().delete()
    vacuum_analyze(*(model._meta.db_table for model in (*models, EvaluationChunk)))


def _chunk_figures(run_id: int) -> dict:
    """Seconds a chunk took (claim to finish): the median, and the last quarter's mean over the first's, in
    the order they were claimed (above 1 when chunks slow down as a run goes on)."""
    from notifications.models import EvaluationChunk

    spans = [
        (finished - claimed).total_seconds()
        for claimed, finished in EvaluationChunk.objects.filter(run_id=run_id, finished_at__isnull=False)
        .order_by("claimed_at")
        .values_list("claimed_at", "finished_at")
    ]
    if not spans:
        return {"chunk_median_s": None, "chunk_last_over_first_quarter": None}
    quarter = max(len(spans) // 4, 1)
    trend = statistics.mean(spans[-quarter:]) / statistics.mean(spans[:quarter])
    return {"chunk_median_s": round(statistics.median(spans), 3), "chunk_last_over_first_quarter": round(trend, 2)}


def _queries_per_chunk(chunk: int) -> int:
    from common import count_queries
    from django.db import connection

    from notifications.evaluation_runs import evaluation_chunk_ids, evaluation_chunk_run, evaluation_plan

    _reset()
    run = evaluation_plan(chunk_size=chunk)
    with count_queries(connection) as queries:
        evaluation_chunk_run(chunk_id=evaluation_chunk_ids(run=run)[0])
    return queries.count


def _timed_run(workers: int, chunk: int) -> dict:
    from notifications import tasks
    from notifications.evaluation_runs import evaluation_chunk_ids, evaluation_plan
    from notifications.models import EvaluationRun
    from rehab_tracker.celery import app

    _reset()
    app.control.purge()
    processes = _workers(workers)
    try:
        while len(app.control.inspect(timeout=1.0).ping() or {}) < workers:  # every worker ready first
            time.sleep(0.5)
        began = time.perf_counter()
        run = evaluation_plan(chunk_size=chunk)
        for chunk_id in evaluation_chunk_ids(run=run):
            tasks.evaluate_chunk.apply_async((chunk_id,), queue="evaluation")
        vacuumed: set[str] = set()  # tables autovacuum worked on during the run (it should be none)
        while not EvaluationRun.objects.filter(id=run.id, finished_at__isnull=False).exists():
            vacuumed |= autovacuums()
            time.sleep(0.2)
        seconds = time.perf_counter() - began
    finally:
        _stop(processes)
    run.refresh_from_db()
    return {"seconds": round(seconds, 2), "chunks": run.chunks_total, "patients_evaluated": run.patients_evaluated,
            "flags_raised": run.flags_raised, "failures": run.failures, **_chunk_figures(run.id),
            "autovacuum_during_run": sorted(vacuumed)}  # fmt: skip


def _one_size(patients: int, worker_counts: list[int], weeks: int, chunk: int) -> list[dict]:
    use_fresh_database(f"rehab_bench_evaluate_{patients}")
    from rehab_tracker.demo import seed_bulk

    began = time.perf_counter()
    figures = seed_bulk(patients=patients, weeks=weeks)
    print(f"{patients:,} patients: seeded {figures} in {time.perf_counter() - began:.0f} s", flush=True)
    print(f"  vacuumed in {vacuum_analyze():.0f} s", flush=True)
    queries = _queries_per_chunk(chunk)
    # One untimed run first, on the most workers: it reads the set logs from disk into memory, so the timed
    # runs compare worker counts rather than a cold cache (the first run) against a warm one.
    warm = _timed_run(max(worker_counts), chunk)
    print(f"  warm-up run ({max(worker_counts)} workers, untimed): {warm['seconds']:.2f} s", flush=True)
    rows = []
    for workers in worker_counts:
        timed = _timed_run(workers, chunk)
        rows.append({"patients": patients, "workers": workers, **timed, "queries_per_chunk": queries,
                     "ms_per_patient": round(1000 * timed["seconds"] / patients, 3)})  # fmt: skip
        vacuumed, trend = ", ".join(timed["autovacuum_during_run"]) or "none", timed["chunk_last_over_first_quarter"]
        print(f"  {workers} worker(s): {timed['seconds']:7.2f} s, {timed['chunks']} chunks, "
              f"{rows[-1]['ms_per_patient']} ms/patient, {queries} queries per chunk, "
              f"a chunk {timed['chunk_median_s']} s (last quarter {trend}x the first), "
              f"autovacuum during the run: {vacuumed}", flush=True)  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", default="10000,100000", help="caseload sizes, comma-separated")
    parser.add_argument("--workers", default="1,2", help="worker process counts, comma-separated")
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--chunk", type=int, default=500, help="patients per chunk (EVALUATION_CHUNK_SIZE)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.patients.split(",")]
    worker_counts = [int(n) for n in args.workers.split(",")]
    if len(sizes) == 1:
        results = _one_size(sizes[0], worker_counts, args.weeks, args.chunk)
    else:  # one process per size: Django is set up once per process, on that size's database
        results = []
        for patients in sizes:
            out = subprocess.run(
                [sys.executable, __file__, "--patients", str(patients), "--workers", args.workers,
                 "--weeks", str(args.weeks), "--chunk", str(args.chunk)],
                check=True, stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            lines = out.stdout.strip().splitlines()
            print("\n".join(lines[:-1]), flush=True)
            results += json.loads(lines[-1])["runs"]
    by = {(r["patients"], r["workers"]): r for r in results}
    summary = {"bench": "evaluate", "weeks": args.weeks, "chunk": args.chunk, "runs": results}
    if len(sizes) > 1:  # the largest size over the smallest, whatever order they ran in
        w, small, large = worker_counts[0], min(sizes), max(sizes)
        growth = by[(large, w)]["ms_per_patient"] / by[(small, w)]["ms_per_patient"]
        summary["per_patient_growth"] = round(growth, 2)
    if 1 in worker_counts and 2 in worker_counts:
        speedup = {str(n): round(by[(n, 1)]["seconds"] / by[(n, 2)]["seconds"], 2) for n in sizes}
        summary["speedup_two_workers"] = speedup
    summary["queries_per_chunk"] = sorted({r["queries_per_chunk"] for r in results})
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
