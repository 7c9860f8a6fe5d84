"""The physio's caseload, GET /api/v1/patients/, for 300 patients (SPEC §7).

Seeds a physio with 300 patients (8 weeks of logs each) and one with 3, counts the
queries of the caseload for both in-process (they must be equal), then times 60
requests through gunicorn for the 300-patient physio, plain and ``?ordering=risk``,
and prints p50/p95. Target: p95 ≤ 300 ms, queries independent of caseload size.

    .venv/bin/python bench/caseload.py
"""

import statistics
import time

from common import count_queries, start_gunicorn, use_fresh_database

REQUESTS = 60


def main() -> None:
    use_fresh_database("rehab_bench_caseload")
    import requests
    from django.db import connection
    from rest_framework.test import APIClient

    from patients.models import User
    from rehab_tracker.demo import DEMO_PASSWORD, seed_bulk

    seed_bulk(patients=300, weeks=8, per_physio=300)
    big = User.objects.filter(role="physio").latest("id")
    seed_bulk(patients=3, weeks=8, per_physio=3)
    small = User.objects.filter(role="physio").latest("id")
    counts = {}
    for label, physio in (("3 patients", small), ("300 patients", big)):
        client = APIClient()
        client.force_authenticate(physio)
        for query in ("", "?ordering=risk"):
            with count_queries(connection) as queries:
                rows = client.get(f"/api/v1/patients/{query}").json()
            counts[(label, query)] = queries.count
            print(f"queries, {label:<13} {query or '(default)':<16} {queries.count:>3} ({rows['count']} patients)")
    connection.close()

    server, port = start_gunicorn()
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        token = requests.post(f"{base}/auth/token/", data={"username": big.username, "password": DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access']}"}
        with requests.Session() as session:
            for query in ("?page_size=300", "?ordering=risk"):
                session.get(f"{base}/patients/{query}", headers=headers).raise_for_status()  # warm
                times = []
                for _ in range(REQUESTS):
                    began = time.perf_counter()
                    response = session.get(f"{base}/patients/{query}", headers=headers)
                    times.append((time.perf_counter() - began) * 1000)
                    response.raise_for_status()
                p95 = statistics.quantiles(times, n=20)[-1]
                print(f"GET /patients/{query:<16} 300 patients: p50 {statistics.median(times):6.1f} ms, "
                      f"p95 {p95:6.1f} ms over {REQUESTS} requests   target p95 <= 300 ms")  # fmt: skip
    finally:
        server.terminate()
        server.wait()
    same = all(counts[("3 patients", q)] == counts[("300 patients", q)] for q in ("", "?ordering=risk"))
    print("query counts equal for 3 and 300 patients" if same else "QUERY COUNTS DIFFER")


if __name__ == "__main__":
    main()
