"""Single requests against their floors: POST /api/v1/logs/ and GET /api/v1/today/.

Runs gunicorn (2 workers) with the project's URLs plus two floors (``floor_urls.py``), all behind the same JWT
authentication, middleware and throttles:
- the DRF floor, what a DRF team would write for the same job: a ``ModelSerializer`` validating the body and an
  ORM ``create`` for the POST, an ORM read of the same rows (program, open red flag, today's sets) for the GET.
  The targets are set against it: POST /logs/ >= 0.8x, GET /today/ >= 0.6x.
- the raw floor, the limit: a constant GET, a one-row INSERT through a raw cursor.
8 concurrent clients send each kind in interleaved rounds; the script prints the median req/s and p50 of each,
the median of the per-round ratios against both floors, and, last, one JSON line with the figures.
GET /today/ reads a patient with three weeks of full Alfredson days (252 sets); the POSTs go to another patient.

    .venv/bin/python bench/requests_floor.py [--seconds 30] [--rounds 6] [--clients 8] [--database NAME]
"""

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import threading
import time
import uuid

from common import analyze, lift_write_limits, start_gunicorn, use_fresh_database


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
  local id = string.format("%s-%04x-4%03x-a%03x-%012x", run, tonumber(tid) % 65536,
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
            # wrk's Lua generator starts from the same seed in every run: a run id keeps each run's ids new, so
            # every POST stores a set (a repeated id would answer from the stored set, or 400 on the DRF floor).
            script.write(f"run = '{uuid.uuid4().hex[:8]}'\nwrk.method = 'POST'\nwrk.body = {json.dumps(template)}\n"
                         f"wrk.headers['Content-Type'] = 'application/json'\n{WRK_POST}")  # fmt: skip
            script.flush()
            command += ["-s", script.name]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw errors:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)", out).groups()
    return rate, float(p50) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


POST, POST_DRF, POST_RAW = "POST /api/v1/logs/ (one set)", "POST DRF floor (serializer)", "POST raw floor (one row)"
GET, GET_DRF, GET_RAW = "GET /api/v1/today/", "GET DRF floor (ORM read)", "GET raw floor (constant)"
TARGETS = {"post_vs_drf": 0.8, "get_vs_drf": 0.6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30, help="per kind, over all rounds")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
                        help="load generator (default wrk when installed: apt-get install wrk)")  # fmt: skip
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database", default="rehab_bench_floor", help="the database this bench creates and drops")
    args = parser.parse_args()
    send = wrk_hammer if args.client == "wrk" else hammer
    use_fresh_database(args.database)
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
    lift_write_limits()
    os.environ["PYTHONPATH"] = os.path.dirname(os.path.abspath(__file__))
    server, port = start_gunicorn()
    try:
        base = f"http://127.0.0.1:{port}"

        def bearer(username: str) -> dict:
            token = requests.post(f"{base}/api/v1/auth/token/", json={"username": username,
                                  "password": "bench-pass-2026"}).json()["access"]  # fmt: skip
            return {"Authorization": f"Bearer {token}"}  # five minutes: long enough for this run

        reader, logger = bearer("bench-patient"), bearer("bench-logger")

        def a_set():
            return {"client_id": str(uuid.uuid4()), "date": str(today), "exercise": "eccentric_heel_drop_straight",
                    "reps": 15, "load_kg": 5, "pain": 3, "session": "am"}  # fmt: skip

        runs = {
            POST: (f"{base}/api/v1/logs/", a_set, logger),
            POST_DRF: (f"{base}/floor/drf/", a_set, logger),
            POST_RAW: (f"{base}/floor/raw/", lambda: {"x": 1}, logger),
            GET: (f"{base}/api/v1/today/", None, reader),
            GET_DRF: (f"{base}/floor/drf/", None, reader),
            GET_RAW: (f"{base}/floor/raw/", None, reader),
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
    figures = {}
    for label, measured in rounds.items():
        rate, p50 = statistics.median(f[0] for f in measured), statistics.median(f[1] for f in measured)
        figures[label] = {"rps": round(rate), "p50_ms": round(p50, 1)}
        print(f"{label:<34} {rate:8.0f} req/s, p50 {p50:6.1f} ms")

    def ratio(mine: str, floor: str) -> float:
        return round(statistics.median(m[0] / f[0] for m, f in zip(rounds[mine], rounds[floor], strict=True)), 2)

    ratios = {
        "post_vs_drf": ratio(POST, POST_DRF),
        "get_vs_drf": ratio(GET, GET_DRF),
        "post_vs_raw": ratio(POST, POST_RAW),
        "get_vs_raw": ratio(GET, GET_RAW),
    }
    met = ratios["post_vs_drf"] >= TARGETS["post_vs_drf"] and ratios["get_vs_drf"] >= TARGETS["get_vs_drf"]
    print(f"against the DRF floor: POST /logs/ {ratios['post_vs_drf']:.2f}x (target >= {TARGETS['post_vs_drf']}), "
          f"GET /today/ {ratios['get_vs_drf']:.2f}x (target >= {TARGETS['get_vs_drf']})")  # fmt: skip
    print(f"against the raw floor (the limit): POST /logs/ {ratios['post_vs_raw']:.2f}x, "
          f"GET /today/ {ratios['get_vs_raw']:.2f}x")  # fmt: skip
    print(f"(median of {args.rounds} interleaved rounds of {args.seconds / args.rounds:g} s each, {args.client})")
    print(json.dumps({"bench": "requests_floor", "client": args.client, "clients": args.clients,
                      "rounds": args.rounds, "seconds": args.seconds, "figures": figures, "ratios": ratios,
                      "targets": TARGETS, "targets_met": met}))  # fmt: skip


if __name__ == "__main__":
    main()
