"""Set-log ingest through the real HTTP stack (gunicorn + PostgreSQL), against a floor.

Seeds one patient, posts batches of 500 set logs to POST /api/v1/logs/batch/
through gunicorn, and times the same number of rows inserted straight through the
ORM's bulk_create (the floor). Prints sets/s for both and their ratio, so the
figure survives a noisy machine. Target: ≥ 2,000 sets/s over HTTP, and
HTTP no slower than 3× the floor.

    .venv/bin/python bench/ingest.py [--batches 40] [--clients 2]
"""

import argparse
import datetime as dt
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from common import lift_write_limits, start_gunicorn, use_fresh_database

BATCH = 500
EXERCISES = ["eccentric_heel_drop_straight", "eccentric_heel_drop_bent"]


def make_batches(count: int, start: dt.date) -> list[list[dict]]:
    batches = []
    for b in range(count):
        batches.append(
            [
                {
                    "client_id": str(uuid.uuid4()),
                    "date": str(start + dt.timedelta(days=(b * BATCH + i) % 80)),
                    "exercise": EXERCISES[i % 2],
                    "reps": 15,
                    "load_kg": 5,
                    "pain": i % 8,
                    "session": "am" if i % 4 < 2 else "pm",
                }
                for i in range(BATCH)
            ]
        )
    return batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()

    use_fresh_database("rehab_bench_ingest")
    import requests
    from django.db import connection

    from exercises.models import Program, SetLog
    from patients.services import clinician_create, patient_create

    physio = clinician_create(username="bench-physio", role="physio", password="bench-pass-2026")
    physician = clinician_create(username="bench-physician", role="physician", password="bench-pass-2026")
    patients = [
        patient_create(username=f"bench-patient-{n}", password="bench-pass-2026", timezone="UTC", side="left",
                       tendinopathy="midportion", physio=physio, physician=physician)
        for n in range(2)
    ]  # fmt: skip
    start = dt.date.today() - dt.timedelta(days=82)
    http_program, floor_program = (
        Program.objects.create(patient=p, protocol="alfredson", start_date=start) for p in patients
    )
    connection.close()

    lift_write_limits()
    server, port = start_gunicorn()
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        token = requests.post(
            f"{base}/auth/token/", json={"username": "bench-patient-0", "password": "bench-pass-2026"}
        )
        headers = {"Authorization": f"Bearer {token.json()['access']}"}
        batches = make_batches(args.batches, start)
        requests.post(f"{base}/logs/batch/", json=make_batches(1, start)[0], headers=headers).raise_for_status()  # warm

        def post(batch):
            with requests.Session() as session:
                response = session.post(f"{base}/logs/batch/", json=batch, headers=headers, timeout=60)
                response.raise_for_status()
                return sum(r["status"] == "created" for r in response.json()["results"])

        began = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            created = sum(pool.map(post, batches))
        http_seconds = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait()
    assert created == args.batches * BATCH, f"only {created} created"

    floor_batches = make_batches(args.batches, start)
    began = time.perf_counter()
    for batch in floor_batches:
        SetLog.objects.bulk_create(
            SetLog(client_id=i["client_id"], patient_id=floor_program.patient_id, program=floor_program,
                   date=dt.date.fromisoformat(i["date"]), week=floor_program.week_on(dt.date.fromisoformat(i["date"])),
                   exercise=i["exercise"], reps=i["reps"], load_kg=i["load_kg"], pain=i["pain"], session=i["session"])
            for i in batch
        )  # fmt: skip
    floor_seconds = time.perf_counter() - began

    sets = args.batches * BATCH
    http_rate, floor_rate = sets / http_seconds, sets / floor_seconds
    ratio = http_seconds / floor_seconds
    print(f"sets posted:        {sets} in batches of {BATCH}, {args.clients} clients, gunicorn 2 workers")
    print(f"HTTP ingest:        {http_rate:,.0f} sets/s ({http_seconds:.2f} s)   target >= 2,000 sets/s")
    print(f"ORM bulk_create:    {floor_rate:,.0f} sets/s ({floor_seconds:.2f} s)   (floor)")
    print(f"HTTP / floor time:  {ratio:.2f}x   target <= 3x")
    passed = http_rate >= 2000 and ratio <= 3
    print("PASS" if passed else "BELOW TARGET")
    _ = http_program
    print(json.dumps({"bench": "ingest", "sets": sets, "batch": BATCH, "clients": args.clients,
                      "http_sets_per_s": round(http_rate), "floor_sets_per_s": round(floor_rate),
                      "http_over_floor": round(ratio, 2), "pass": passed}))  # fmt: skip


if __name__ == "__main__":
    main()
