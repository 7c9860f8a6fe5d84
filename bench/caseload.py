"""The physio's caseload, GET /api/v1/patients/, as it grows (targets in bench/RESULTS.md).

Seeds physios with 3, 30, 300 and 1,000 patients (8 weeks of logs each), counts the
queries of the caseload for each in-process (they must be equal), then times 60
requests through gunicorn (2 workers) per physio, default order and ``?ordering=risk``
(pages of 100), and prints p50/p95. Targets: p95 <= 100 ms at 300 patients for
``?ordering=risk``, and 1,000 patients within 2x the time of 30.

    .venv/bin/python bench/caseload.py
"""

import json
import statistics
import time

from common import analyze, count_queries, start_gunicorn, use_fresh_database

REQUESTS = 60
SIZES = (3, 30, 300, 1000)


def main() -> None:
    use_fresh_database("rehab_bench_caseload")
    import requests
    from django.db import connection
    from rest_framework.test import APIClient

    from patients.models import User
    from rehab_tracker.demo import DEMO_PASSWORD, seed_bulk

    physios = {}
    for size in SIZES:
        seed_bulk(patients=size, weeks=8, per_physio=size)
        physios[size] = User.objects.filter(role="physio").latest("id")
    analyze()
    counts = {}
    for size, physio in physios.items():
        client = APIClient()
        client.force_authenticate(physio)
        for query in ("", "?ordering=risk"):
            client.get(f"/api/v1/patients/{query}")  # the first risk read makes the kept figures
            with count_queries(connection) as queries:
                rows = client.get(f"/api/v1/patients/{query}").json()
            counts[(size, query)] = queries.count
            print(f"queries, {size:>5} patients {query or '(default)':<16} {queries.count:>3} ({rows['count']} rows)")
    connection.close()

    server, port = start_gunicorn()
    p50s, p95s = {}, {}
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        for size, physio in physios.items():
            token = requests.post(f"{base}/auth/token/", json={"username": physio.username, "password": DEMO_PASSWORD})
            headers = {"Authorization": f"Bearer {token.json()['access']}"}
            with requests.Session() as session:
                for query in ("", "?ordering=risk"):
                    for _ in range(6):  # warm both gunicorn workers (connections, first-use caches)
                        session.get(f"{base}/patients/{query}", headers=headers).raise_for_status()
                    times = []
                    for _ in range(REQUESTS):
                        began = time.perf_counter()
                        response = session.get(f"{base}/patients/{query}", headers=headers)
                        times.append((time.perf_counter() - began) * 1000)
                        response.raise_for_status()
                    p95 = statistics.quantiles(times, n=20)[-1]
                    p50s[(size, query)] = statistics.median(times)
                    p95s[(size, query)] = p95
                    print(f"GET /patients/{query or '':<16} {size:>5} patients: p50 {p50s[(size, query)]:6.1f} ms, "
                          f"p95 {p95:6.1f} ms over {REQUESTS} requests")  # fmt: skip
    finally:
        server.terminate()
        server.wait()
    ratio = p50s[(1000, "?ordering=risk")] / p50s[(30, "?ordering=risk")]
    print(f"?ordering=risk: 1,000 patients take {ratio:.2f}x the time of 30 (target <= 2x); "
          "target p95 <= 100 ms at 300")  # fmt: skip
    same = all(counts[(3, q)] == counts[(size, q)] for size in SIZES for q in ("", "?ordering=risk"))
    print("query counts equal for every caseload size" if same else "QUERY COUNTS DIFFER")
    figures = {
        f"{'risk' if query else 'default'}_{size}": {"p50_ms": round(p50s[(size, query)], 1),
                                                    "p95_ms": round(p95s[(size, query)], 1),
                                                    "queries": counts[(size, query)]}
        for size in SIZES for query in ("", "?ordering=risk")
    }  # fmt: skip
    print(json.dumps({"bench": "caseload", "requests": REQUESTS, **figures,
                      "risk_1000_over_30": round(ratio, 2), "queries_equal": same}))  # fmt: skip


if __name__ == "__main__":
    main()
