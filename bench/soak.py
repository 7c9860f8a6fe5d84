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

    .venv/bin/python bench/soak.py [--minutes 10] [--patients 1000] [--clients 12]
"""

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from common import ROOT, analyze, start_gunicorn, use_fresh_database

BROKER = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/13")


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


class Load:
    def __init__(self, base: str, patients: list[dict], physios: list[str], seconds: float, seed: int):
        self.base, self.patients, self.physios, self.deadline = base, patients, physios, time.monotonic() + seconds
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
        return status, data

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
            status, _ = self.call(session, "POST /logs/", "POST", "/api/v1/logs/", p, body)
            if status in (200, 201):
                with self.lock:
                    self.sent_sets.add(body["client_id"])
        elif roll < 0.85 and p["logs"]:
            batch = [a_set() for _ in range(rng.randint(5, 20))]
            for _attempt in range(1 if rng.random() < 0.8 else 2):  # a resent batch: its answer was "lost"
                status, answer = self.call(session, "POST /logs/batch/", "POST", "/api/v1/logs/batch/", p,
                                           batch)  # fmt: skip
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
            self.call(session, "POST /checkins/", "POST", "/api/v1/checkins/", p, body)

    def physio_step(self, session, rng: random.Random):
        physio = rng.choice(self.physios)
        page = rng.randint(1, 2)
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

    with psycopg.connect(url, autocommit=True) as conn:
        while not stop.is_set():
            (count,) = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            ).fetchone()
            peak[0] = max(peak[0], count)
            stop.wait(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--physios", type=int, default=20)
    parser.add_argument("--clients", type=int, default=12, help="concurrent simulated users at any moment")
    args = parser.parse_args()

    os.environ.update(REDIS_URL=BROKER, REMINDER_QUIET_START="", REMINDER_QUIET_END="")
    url = use_fresh_database("rehab_bench_soak")
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.tokens import RefreshToken

    from exercises.protocols import ProtocolSlug
    from notifications.models import Notification, Reminder, ReminderTime
    from patients.models import Patient
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
    worker = subprocess.Popen([celery, "-A", "rehab_tracker", "worker", "--concurrency=2", "--loglevel=WARNING"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    beat = subprocess.Popen([celery, "-A", "rehab_tracker", "beat", "--loglevel=WARNING",
                             f"--schedule={ROOT / 'var' / 'soak-beat'}"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    server, port = start_gunicorn(workers=2)
    stop, peak = threading.Event(), [0]
    watcher = threading.Thread(target=peak_connections, args=(stop, peak, url), daemon=True)
    watcher.start()
    load = Load(f"http://127.0.0.1:{port}", users, physios, args.minutes * 60, seed=7)
    try:
        threads = [threading.Thread(target=load.client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(90)  # the last minute's reminders: swept, processed, delivered
    finally:
        stop.set()
        for process in (server, worker, beat):
            process.terminate()
        for process in (server, worker, beat):
            process.wait(timeout=60)

    from exercises.models import SetLog

    stored = SetLog.objects.filter(client_id__in=list(load.sent_sets)).count()
    due = Reminder.objects.filter(due_at__gte=started)
    total = sum(len(v) for v in load.times.values())
    errors = sum(len(v) for v in load.errors.values())
    print(f"Soak: {args.patients} patients, {len(physios)} physios, {args.clients} concurrent users, "
          f"{args.minutes:g} min; gunicorn 2 workers, Celery worker (2) and beat")  # fmt: skip
    print(f"requests {total}, errors {errors}")
    print(f"{'endpoint':32} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, values in sorted(load.times.items()):
        print(f"{name:32} {len(values):9d} {len(load.errors.get(name, [])):7d} "
              f"{statistics.median(values) * 1000:8.0f} {percentile(values, 0.95) * 1000:8.0f} "
              f"{percentile(values, 0.99) * 1000:8.0f}")  # fmt: skip
    for name, samples in load.errors.items():
        print(f"  {name}: {samples[:3]}")
    print(f"sets sent (distinct client_ids answered 200/201) {len(load.sent_sets)}, stored {stored}")
    by_status = {s: due.filter(status=s).count() for s in ("queued", "sent", "skipped")}
    notified = Notification.objects.filter(kind="reminder", created_at__gte=started).count()
    print(f"reminders due {due.count()}: sent {by_status['sent']}, skipped {by_status['skipped']}, "
          f"still queued {by_status['queued']}; reminder notifications {notified}")  # fmt: skip
    reasons = Counter(due.filter(status="skipped").values_list("skip_reason", flat=True))
    print(f"  skipped because: {dict(reasons)}")
    print(f"PostgreSQL connections at peak: {peak[0]}")


if __name__ == "__main__":
    sys.exit(main())
