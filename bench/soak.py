"""A bounded soak on 127.0.0.1: 1,000 patients and 20 physios for 10 minutes, with the real
gunicorn (2 workers), Celery worker and beat on PostgreSQL and Redis.

What the simulated users do, as the web app does: patients open today, log single sets, sync a batch
of sets after being offline (one batch in five resent, as after a lost answer), and check in; seven in
ten patients log sets, the rest only open the app and check in, so their reminders are sent rather
than skipped. Physios page their caseload by risk. Every patient has a reminder due at some minute of
the run, so beat's minute sweep and the worker deliver reminders throughout.

Prints: requests and errors (must be 0) per endpoint with p50/p95/p99, sets sent vs stored (must be
equal: each client_id once), reminders due vs sent or skipped (must be equal, none twice), and
PostgreSQL connections at peak.

With ``--chaos`` the soak runs on a PostgreSQL cluster and a Redis of its own (Debian's pg_createcluster,
a free port each: the machine's own serve everything else) and, each at a random minute of the run (seeded:
``--seed``), kills a Celery worker with SIGKILL and starts it again, restarts Redis, restarts PostgreSQL
and restarts beat twice. Clients behave as the app's outbox: a write that was not answered is sent again
with the same ``client_id`` until it is. A process that exits on its own is started again (as a platform
restarts a crashed pod) and counted. Printed besides: errors by kind (a 503 with ``Retry-After`` while the
database restarts is allowed, nothing else), the seconds to recover after each fault (until the health
check reports database and broker ok and a worker answers), deliveries left stuck (must be 0).

The last line is one JSON object with every figure (``{"bench": "soak", ...}``).

    .venv/bin/python bench/soak.py [--minutes 10] [--patients 1000] [--clients 12] [--chaos] [--seed 7]
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from common import ROOT, analyze, lift_write_limits, start_gunicorn, use_fresh_database

BROKER = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/13")
CLUSTER = "rt_soak"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnServices:
    """A PostgreSQL cluster and a Redis of the soak's own, so that restarting them touches nothing else."""

    def __init__(self):
        self.version = sorted(os.listdir("/etc/postgresql"))[0]
        self.pg_port, self.redis_port = free_port(), free_port()
        self.redis_dir = ROOT / "var" / "soak-redis"
        self.redis = None

    def _ctl(self, *args: str) -> None:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", self.version, CLUSTER, *args], check=True,
                       capture_output=True, timeout=180)  # fmt: skip

    def start(self) -> None:
        if not shutil.which("pg_createcluster"):
            sys.exit("--chaos needs Debian's pg_createcluster (a PostgreSQL cluster of the soak's own)")
        subprocess.run(["pg_dropcluster", "--stop", self.version, CLUSTER], capture_output=True)
        subprocess.run(["pg_createcluster", self.version, CLUSTER, "-p", str(self.pg_port), "--", "--auth=trust"],
                       check=True, capture_output=True, timeout=180)  # fmt: skip
        self._ctl("start")
        self.redis_dir.mkdir(parents=True, exist_ok=True)
        self.start_redis()

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
             "no", "--dir", str(self.redis_dir), "--maxmemory-policy", "noeviction"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)

    def restart_redis(self) -> None:
        self.redis.kill()  # as a primary lost: no goodbye to the clients; it comes back empty
        self.redis.wait(timeout=30)
        self.start_redis()

    def restart_postgres(self) -> None:
        self._ctl("restart")  # fast shutdown: open connections are cut

    def stop(self) -> None:
        if self.redis is not None:
            self.redis.kill()
        subprocess.run(["pg_dropcluster", "--stop", self.version, CLUSTER], capture_output=True, timeout=180)

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/postgres"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"


class Supervisor:
    """Worker and beat as a platform runs them: started again when they exit on their own (counted)."""

    def __init__(self, commands: dict[str, list[str]], env: dict):
        self.commands, self.env = commands, env
        self.processes: dict[str, subprocess.Popen] = {}
        self.exits: Counter = Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def start(self, name: str) -> None:
        self.processes[name] = subprocess.Popen(self.commands[name], cwd=ROOT, env=self.env, start_new_session=True,
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def signal(self, name: str, sig: int) -> None:
        with self.lock:
            process = self.processes[name]
            os.killpg(process.pid, sig)  # the whole group: a prefork worker's children too
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
            self.start(name)

    def watch(self) -> None:
        while not self.stopping.wait(1):
            with self.lock:
                for name, process in list(self.processes.items()):
                    if process.poll() is not None:
                        self.exits[name] += 1
                        self.start(name)

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            for process in self.processes.values():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
            for process in self.processes.values():
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


class Load:
    def __init__(self, base: str, patients: list[dict], physios: list[str], seconds: float, seed: int,
                 resend: bool = False):  # fmt: skip
        self.base, self.patients, self.physios, self.deadline = base, patients, physios, time.monotonic() + seconds
        self.physio_pages = max(1, -(-len(patients) // max(1, len(physios)) // 25))
        self.resend = resend  # as the outbox: a write not answered goes again with the same client_id
        self.kinds: Counter = Counter()  # errors by endpoint, status and whether Retry-After came
        self.loggers = [p for p in patients if p["logs"]]
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.sent_sets: set[str] = set()
        self.lock = threading.Lock()
        self.seed = seed

    def refresh(self, session, user: dict, used: str) -> None:
        """As the app does after a 401: one refresh per user at a time (refresh tokens rotate)."""
        with user["lock"]:
            if user["access"] != used:  # another thread of this user's refreshed already
                return
            began = time.perf_counter()
            answer = session.post(self.base + "/api/v1/auth/token/refresh/", json={"refresh": user["refresh"]},
                                  timeout=30)  # fmt: skip
            with self.lock:
                self.times["POST /auth/token/refresh/"].append(time.perf_counter() - began)
                if answer.status_code != 200:
                    self.errors["POST /auth/token/refresh/"].append(f"{answer.status_code} {answer.text[:120]}")
                    return
            data = answer.json()
            user["access"], user["refresh"] = data["access"], data.get("refresh", user["refresh"])

    def call(self, session, name: str, method: str, path: str, user: dict, body=None, ok=(200, 201)):
        began = time.perf_counter()
        try:
            for attempt in range(2):
                token = user["access"]
                answer = session.request(method, self.base + path, json=body, timeout=30,
                                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                if answer.status_code != 401 or attempt:
                    break
                self.refresh(session, user, token)
                began = time.perf_counter()  # the retried request is timed on its own
            status, data = answer.status_code, answer
        except Exception as exc:  # a load test counts every failure
            status, data = 0, exc
        with self.lock:
            self.times[name].append(time.perf_counter() - began)
            if status not in ok:
                self.errors[name].append(f"{status} {str(getattr(data, 'text', data))[:120]}")
                retry_after = status and data.headers.get("Retry-After")
                self.kinds[f"{name} {status or 'no answer'}{' with Retry-After' if retry_after else ''}"] += 1
        return status, data

    def send(self, session, name: str, method: str, path: str, user: dict, body, ok=(200, 201)):
        """One write; with ``resend``, again (same body, same client_ids) until it is answered."""
        while True:
            status, data = self.call(session, name, method, path, user, body, ok=ok)
            if status in ok or not self.resend or time.monotonic() > self.deadline + 120:
                return status, data
            time.sleep(0.5)

    def patient_step(self, session, rng: random.Random):
        p = rng.choice(self.patients)
        if rng.random() < 0.45 and not p["logs"]:
            p = rng.choice(self.loggers)
        today = dt.datetime.now(ZoneInfo(p["zone"])).date().isoformat()
        roll = rng.random()

        def a_set():
            exercise = "eccentric_heel_drop_straight"
            return {"client_id": str(uuid.uuid4()), "date": today, "exercise": exercise, "reps": 15, "load_kg": 5,
                    "pain": rng.randint(0, 5), "session": rng.choice(["am", "pm"])}  # fmt: skip

        if roll < 0.40:
            self.call(session, "GET /today/", "GET", "/api/v1/today/", p)
        elif roll < 0.70 and p["logs"]:
            body = a_set()
            status, _ = self.send(session, "POST /logs/", "POST", "/api/v1/logs/", p, body)
            if status in (200, 201):
                with self.lock:
                    self.sent_sets.add(body["client_id"])
        elif roll < 0.85 and p["logs"]:
            batch = [a_set() for _ in range(rng.randint(5, 20))]
            for _attempt in range(1 if rng.random() < 0.8 else 2):  # a resent batch: its answer was "lost"
                status, answer = self.send(session, "POST /logs/batch/", "POST", "/api/v1/logs/batch/", p,
                                           batch, ok=(200,))  # fmt: skip
                if status == 200:
                    results = answer.json()["results"]
                    bad = [r for r in results if r["status"] not in ("created", "duplicate")]
                    with self.lock:
                        self.sent_sets.update(b["client_id"] for b, r in zip(batch, results, strict=True)
                                              if r["status"] in ("created", "duplicate"))  # fmt: skip
                        if bad:
                            self.errors["POST /logs/batch/ items"].append(str(bad[0])[:120])
        else:
            body = {"client_id": str(uuid.uuid4()), "morning_pain": rng.randint(0, 4),
                    "morning_stiffness_minutes": rng.choice([5, 10, 20])}  # fmt: skip
            self.send(session, "POST /checkins/", "POST", "/api/v1/checkins/", p, body)

    def physio_step(self, session, rng: random.Random):
        physio = rng.choice(self.physios)
        page = rng.randint(1, self.physio_pages)  # the caseload's pages of 25 there are
        self.call(session, "GET /patients/?ordering=risk", "GET",
                  f"/api/v1/patients/?ordering=risk&page_size=25&page={page}", physio)  # fmt: skip

    def client(self, index: int):
        import requests

        rng = random.Random(self.seed + index)
        with requests.Session() as session:
            while time.monotonic() < self.deadline:
                if rng.random() < 0.1:
                    self.physio_step(session, rng)
                else:
                    self.patient_step(session, rng)


def peak_connections(stop: threading.Event, peak: list[int], url: str):
    import psycopg

    while not stop.is_set():  # a restarted database cuts the connection: connect again
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
                while not stop.is_set():
                    (count,) = conn.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    ).fetchone()
                    peak[0] = max(peak[0], count)
                    stop.wait(1)
        except psycopg.OperationalError:
            stop.wait(1)


def recovered(base: str, app, deadline: float = 300) -> float:
    """Seconds until the health check says database and broker ok and a Celery worker answers a ping."""
    import requests

    began = time.monotonic()
    while time.monotonic() - began < deadline:
        try:
            health = requests.get(base + "/api/v1/health/", timeout=3).json()
            if health.get("status") == "ok" and app.control.inspect(timeout=1.0).ping():
                return round(time.monotonic() - began, 1)
        except Exception:  # down yet: keep asking
            pass
        time.sleep(0.5)
    return float("inf")


def chaos(faults: list[tuple[float, str]], actions: dict, base: str, app, recovery: list[dict], began: float):
    """Each fault at its second of the run; then the seconds until the system answers healthy again."""
    for at, name in faults:
        time.sleep(max(0.0, began + at - time.monotonic()))
        fault_at = time.monotonic()
        actions[name]()
        took = round(time.monotonic() - fault_at, 1)  # the fault itself (a restart takes its time)
        seconds = recovered(base, app)  # from the fault's end
        recovery.append({"fault": name, "at_minute": round(at / 60, 1), "fault_seconds": took,
                         "seconds_to_recover": seconds})  # fmt: skip
        print(f"  fault: {name} at minute {at / 60:.1f}, recovered in {seconds} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--physios", type=int, default=20)
    parser.add_argument("--clients", type=int, default=12, help="concurrent simulated users at any moment")
    parser.add_argument("--chaos", action="store_true", help="kill a worker, restart Redis, PostgreSQL and beat")
    parser.add_argument("--seed", type=int, default=7, help="the random minutes of the faults and the load")
    args = parser.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit("soak: stopped"))  # a kill still drops its own services
    own = None
    broker = BROKER
    if args.chaos:
        own = OwnServices()
        own.start()
        os.environ["BENCH_DATABASE_URL"] = own.database_url
        os.environ["BENCH_KEEP_DATABASE"] = "1"  # the whole cluster is dropped at the end
        broker = own.redis_url
    try:
        run(args, own, broker)
    finally:
        if own is not None:
            own.stop()


def run(args, own: "OwnServices | None", broker: str) -> None:
    os.environ.update(REDIS_URL=broker, REMINDER_QUIET_START="", REMINDER_QUIET_END="")
    # Every simulated phone shares 127.0.0.1: the per-address limit on anonymous writes (a token refresh is
    # one) would refuse 1,000 patients' refreshes as if from one phone. Lifted, as every bench does.
    lift_write_limits()
    url = use_fresh_database("rehab_bench_soak")
    from django.contrib.auth import get_user_model
    from django.db import connections
    from rest_framework_simplejwt.tokens import RefreshToken

    from exercises.protocols import ProtocolSlug
    from notifications.models import Delivery, Notification, Reminder, ReminderTime
    from patients.models import Patient
    from rehab_tracker.celery import app
    from rehab_tracker.demo import seed_bulk

    seed_bulk(patients=args.patients, weeks=4, per_physio=-(-args.patients // args.physios),
              protocols=[ProtocolSlug.ALFREDSON])  # fmt: skip
    # A reminder at some minute of the run for every patient, in their own zone.
    started = dt.datetime.now(dt.UTC)
    span = max(1, int(args.minutes) - 1)
    times = []
    patients = list(Patient.objects.select_related("user"))
    for i, patient in enumerate(patients):
        local = (started + dt.timedelta(minutes=2 + i % span)).astimezone(ZoneInfo(patient.timezone))
        times.append(ReminderTime(patient=patient, local_time=local.time().replace(second=0, microsecond=0)))
    ReminderTime.objects.bulk_create(times)
    analyze()
    User = get_user_model()

    # Seven in ten patients log sets (their reminders are skipped once the session is logged); the others
    # only open the app and check in, so their reminders are sent.
    def tokens(user) -> dict:
        refresh = RefreshToken.for_user(user)
        return {"access": str(refresh.access_token), "refresh": str(refresh), "lock": threading.Lock()}

    users = [tokens(p.user) | {"zone": p.timezone, "logs": i % 10 < 7} for i, p in enumerate(patients)]
    physios = [tokens(u) for u in User.objects.filter(role="physio")]

    env = os.environ.copy()
    celery = str(ROOT / ".venv/bin/celery")
    supervisor = Supervisor({
        "worker": [celery, "-A", "rehab_tracker", "worker", "--concurrency=2", "--loglevel=WARNING",
                   "-Q", "celery,alerts,evaluation"],
        "beat": [celery, "-A", "rehab_tracker", "beat", "--loglevel=WARNING",
                 f"--schedule={ROOT / 'var' / 'soak-beat'}"],
    }, env)  # fmt: skip
    supervisor.start("worker")
    supervisor.start("beat")
    threading.Thread(target=supervisor.watch, daemon=True).start()
    server, port = start_gunicorn(workers=2)
    base = f"http://127.0.0.1:{port}"
    stop, peak = threading.Event(), [0]
    watcher = threading.Thread(target=peak_connections, args=(stop, peak, url), daemon=True)
    watcher.start()
    load = Load(base, users, physios, args.minutes * 60, seed=args.seed, resend=args.chaos)
    recovery: list[dict] = []
    chaos_thread = None
    if args.chaos:
        rng = random.Random(args.seed)
        names = ["worker killed", "redis restarted", "postgresql restarted", "beat restarted", "beat restarted"]
        window = max(60.0, args.minutes * 60 - 90)
        slots = sorted(rng.sample(range(30, int(window)), len(names)))
        rng.shuffle(names)
        actions = {
            "worker killed": lambda: supervisor.signal("worker", signal.SIGKILL),
            "redis restarted": own.restart_redis,
            "postgresql restarted": own.restart_postgres,
            "beat restarted": lambda: supervisor.signal("beat", signal.SIGTERM),
        }
        chaos_thread = threading.Thread(target=chaos, args=(list(zip(slots, names, strict=True)), actions, base, app,
                                                            recovery, time.monotonic()), daemon=True)  # fmt: skip
        chaos_thread.start()
    try:
        threads = [threading.Thread(target=load.client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if chaos_thread is not None:
            chaos_thread.join(timeout=600)
        # The last minute's reminders swept, processed, delivered; with faults, until nothing is left over
        # (a task lost with Redis is swept again after two minutes, a delivery re-queued after two).
        settle = time.monotonic() + (420 if args.chaos else 90)
        while time.monotonic() < settle:
            if not args.chaos:  # a calm run: 90 s for the last minute's reminders, as before
                time.sleep(1)
                continue
            connections.close_all()  # this process's connection may be one the restart cut
            now = dt.datetime.now(dt.UTC)
            waiting = Reminder.objects.filter(due_at__gte=started, due_at__lte=now - dt.timedelta(minutes=1),
                                              status="queued").exists()  # fmt: skip
            stuck = Delivery.objects.filter(status__in=["pending", "sending"]).exists()
            if not waiting and not stuck and now > started + dt.timedelta(minutes=args.minutes + 1):
                break
            time.sleep(2)
    finally:
        stop.set()
        supervisor.stop()
        server.terminate()
        server.wait(timeout=60)

    connections.close_all()
    from exercises.models import SetLog

    stored = SetLog.objects.filter(client_id__in=list(load.sent_sets)).count()
    due = Reminder.objects.filter(due_at__gte=started, due_at__lte=dt.datetime.now(dt.UTC))
    total = sum(len(v) for v in load.times.values())
    errors = sum(len(v) for v in load.errors.values())
    allowed = sum(n for kind, n in load.kinds.items() if kind.endswith("503 with Retry-After"))
    print(f"Soak: {args.patients} patients, {len(physios)} physios, {args.clients} concurrent users, "
          f"{args.minutes:g} min{' with faults' if args.chaos else ''}; gunicorn 2 workers, Celery worker (2) "
          f"and beat")  # fmt: skip
    print(f"requests {total}, errors {errors} ({allowed} of them 503 with Retry-After)")
    print(f"{'endpoint':32} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    endpoints = {}
    for name, values in sorted(load.times.items()):
        endpoints[name] = {"requests": len(values), "errors": len(load.errors.get(name, [])),
                           "p50_ms": round(statistics.median(values) * 1000),
                           "p95_ms": round(percentile(values, 0.95) * 1000),
                           "p99_ms": round(percentile(values, 0.99) * 1000)}  # fmt: skip
        e = endpoints[name]
        print(f"{name:32} {e['requests']:9d} {e['errors']:7d} {e['p50_ms']:8d} {e['p95_ms']:8d} {e['p99_ms']:8d}")
    for kind, n in sorted(load.kinds.items()):
        print(f"  {kind}: {n}")
    for name, samples in load.errors.items():
        print(f"  {name}: {samples[:3]}")
    print(f"sets sent (distinct client_ids answered 200/201) {len(load.sent_sets)}, stored {stored}")
    by_status = {s: due.filter(status=s).count() for s in ("queued", "sent", "skipped")}
    notified = Notification.objects.filter(kind="reminder", created_at__gte=started).count()
    print(f"reminders due {due.count()}: sent {by_status['sent']}, skipped {by_status['skipped']}, "
          f"still queued {by_status['queued']}; reminder notifications {notified}")  # fmt: skip
    reasons = Counter(due.filter(status="skipped").values_list("skip_reason", flat=True))
    print(f"  skipped because: {dict(reasons)}")
    stuck = Delivery.objects.filter(status__in=["pending", "sending"]).count()
    print(f"deliveries left stuck: {stuck}; processes that exited on their own: {dict(supervisor.exits)}")
    print(f"PostgreSQL connections at peak: {peak[0]}")
    print(json.dumps({
        "bench": "soak", "chaos": args.chaos, "minutes": args.minutes, "patients": args.patients,
        "clients": args.clients, "requests": total, "errors": errors, "errors_by_kind": dict(load.kinds),
        "errors_not_allowed": errors - allowed, "sets_answered": len(load.sent_sets), "sets_stored": stored,
        "reminders_due": due.count(), "reminders_sent": by_status["sent"], "reminders_skipped": by_status["skipped"],
        "reminders_queued": by_status["queued"], "reminder_notifications": notified, "deliveries_stuck": stuck,
        "process_exits": dict(supervisor.exits), "recovery": recovery, "endpoints": endpoints,
        "pg_connections_peak": peak[0],
    }))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
