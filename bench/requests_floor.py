"""Single requests against their floor (issue 9): POST /api/v1/logs/ and GET /api/v1/today/.

Runs gunicorn (2 workers) with the project's URLs plus a floor view that does the least
an authenticated DRF view can: a constant GET, a one-row INSERT on POST. 8 concurrent
clients send each kind in interleaved rounds; the script prints the median req/s and p50
of the project's endpoint and its floor, and the median of their per-round ratios.
Targets: POST /logs/ >= 0.6x the POST floor; GET /today/ >= 0.5x the GET floor.
GET /today/ reads a patient with three weeks of full Alfredson days (252 sets); the
POSTs go to another patient.

    .venv/bin/python bench/requests_floor.py [--seconds 30] [--rounds 6] [--clients 8]
"""

import argparse
import datetime as dt
import os
import shutil
import statistics
import threading
import time
import uuid

from common import analyze, start_gunicorn, use_fresh_database


def hammer(url: str, headers: dict, clients: int, seconds: float, body=None) -> tuple[float, float]:
    """(requests per second, p50 ms) of ``clients`` threads sending for ``seconds``."""
    import requests

    times: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        with requests.Session() as session:
            while time.monotonic() < stop:
                began = time.perf_counter()
                if body is None:
                    response = session.get(url, headers=headers, timeout=10)
                else:
                    response = session.post(url, json=body(), headers=headers, timeout=10)
                elapsed = time.perf_counter() - began
                response.raise_for_status()
                with lock:
                    times.append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(times) / (time.monotonic() - began), statistics.median(times) * 1000


WRK_POST = """
local n = 0
function setup(thread) thread:set("tid", tostring(math.random(1, 1e9))) end
function init(args) math.randomseed(tonumber(tid)) end
function request()
  n = n + 1
  local id = string.format("%08x-%04x-4%03x-a%03x-%012x", tonumber(tid) % 4294967296, n % 65536,
    math.random(0, 4095), math.random(0, 4095), n)
  return wrk.format(nil, nil, nil, string.format(wrk.body, id))
end
"""


def wrk_hammer(url: str, headers: dict, clients: int, seconds: float, body=None) -> tuple[float, float]:
    """As ``hammer``, with wrk (a C load generator, far lighter than Python's requests on these two cores).
    A POST body is JSON with ``%s`` where each request's unique client id goes."""
    import json
    import re
    import subprocess
    import tempfile

    command = ["wrk", "-t", "2", "-c", str(clients), "-d", f"{max(1, round(seconds))}s", "--latency", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if body is not None:
            one = body()
            if "client_id" in one:
                one["client_id"] = "CLIENT_ID"
            template = json.dumps(one).replace('"CLIENT_ID"', '"%s"')
            script.write(f"wrk.method = 'POST'\nwrk.body = {json.dumps(template)}\n"
                         f"wrk.headers['Content-Type'] = 'application/json'\n{WRK_POST}")  # fmt: skip
            script.flush()
            command += ["-s", script.name]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw errors:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)", out).groups()
    return rate, float(p50) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="per kind, over all rounds")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
                        help="load generator (default wrk when installed: apt-get install wrk)")  # fmt: skip
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    send = wrk_hammer if args.client == "wrk" else hammer
    use_fresh_database("rehab_bench_floor")
    import requests
    from django.db import connection

    from exercises.models import Program, SetLog
    from exercises.protocols import prescription
    from patients.services import clinician_create, patient_create

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_floor (id serial PRIMARY KEY, body text)")
    physio = clinician_create(username="bench-physio", role="physio", password="bench-pass-2026")
    physician = clinician_create(username="bench-physician", role="physician", password="bench-pass-2026")
    today = dt.date.today()
    for name in ("bench-patient", "bench-logger"):
        patient = patient_create(username=name, password="bench-pass-2026", timezone="UTC", side="left",
                                 tendinopathy="midportion", physio=physio, physician=physician)  # fmt: skip
        Program.objects.create(patient=patient, protocol="alfredson", start_date=today - dt.timedelta(days=20))
    # GET /today/ reads a patient as the app sees one: three weeks of full days and this morning's session done.
    # (The POSTs go to bench-logger: thousands of sets in a day would make /today/ count what no patient logs.)
    reader = Program.objects.get(patient__user__username="bench-patient")
    SetLog.objects.bulk_create(
        SetLog(client_id=uuid.uuid4(), patient=reader.patient, program=reader, date=day, week=reader.week_on(day),
               exercise=item.exercise, reps=item.reps, load_kg=0, pain=3, session=item.session, side="left")
        for day in (today - dt.timedelta(days=n) for n in range(21))
        for item in prescription(reader, day).items
        if day < today or item.session == "am"
        for _ in range(item.sets)
    )  # fmt: skip
    analyze()
    connection.close()
    os.environ["ROOT_URLCONF"] = "floor_urls"
    os.environ["PYTHONPATH"] = os.path.dirname(os.path.abspath(__file__))
    server, port = start_gunicorn()
    try:
        base = f"http://127.0.0.1:{port}"

        def bearer(username: str) -> dict:
            token = requests.post(f"{base}/api/v1/auth/token/", data={"username": username,
                                  "password": "bench-pass-2026"}).json()["access"]  # fmt: skip
            return {"Authorization": f"Bearer {token}"}  # five minutes: long enough for this run

        reader, logger = bearer("bench-patient"), bearer("bench-logger")

        def a_set():
            return {"client_id": str(uuid.uuid4()), "date": str(today), "exercise": "eccentric_heel_drop_straight",
                    "reps": 15, "load_kg": 5, "pain": 3, "session": "am"}  # fmt: skip

        runs = {
            "POST /api/v1/logs/ (one set)": (f"{base}/api/v1/logs/", a_set, logger),
            "POST floor (one row)": (f"{base}/floor/", lambda: {"x": 1}, logger),
            "GET /api/v1/today/": (f"{base}/api/v1/today/", None, reader),
            "GET floor (constant)": (f"{base}/floor/", None, reader),
        }
        for url, body, headers in runs.values():
            send(url, headers, args.clients, 1, body)  # warm
        # Interleaved rounds, each kind beside its floor: the machine's drift (other work on these two cores)
        # touches both alike, and the median round is reported.
        rounds: dict[str, list[tuple[float, float]]] = {label: [] for label in runs}
        for _ in range(args.rounds):
            for label, (url, body, headers) in runs.items():
                rounds[label].append(send(url, headers, args.clients, args.seconds / args.rounds, body))
    finally:
        server.terminate()
        server.wait()
    for label, figures in rounds.items():
        rate, p50 = statistics.median(f[0] for f in figures), statistics.median(f[1] for f in figures)
        print(f"{label:<30} {rate:8.0f} req/s, p50 {p50:6.1f} ms")

    def ratio(mine: str, floor: str) -> float:
        return statistics.median(m[0] / f[0] for m, f in zip(rounds[mine], rounds[floor], strict=True))

    post = ratio("POST /api/v1/logs/ (one set)", "POST floor (one row)")
    get = ratio("GET /api/v1/today/", "GET floor (constant)")
    print(f"POST /logs/ at {post:.2f}x its floor (target >= 0.6); GET /today/ at {get:.2f}x its floor (target >= 0.5)")
    print(f"(median of {args.rounds} interleaved rounds of {args.seconds / args.rounds:g} s each, {args.client})")


if __name__ == "__main__":
    main()
