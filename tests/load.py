"""A real server with the demo data, and patients' clients writing to it as fast as they can: the load the
restart tests keep up while PostgreSQL or Redis goes away and comes back."""

import datetime as dt
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_demo(env: dict) -> tuple[subprocess.Popen, str]:
    """Migrate and seed the demo data into ``env``'s database, then gunicorn (two workers) on a free port:
    the process and its base URL."""
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "rehab_tracker.wsgi", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    return server, f"http://127.0.0.1:{port}"


class PatientClients:
    """Patients' clients (threads signed in as demo-alfredson) sending batches of five of today's sets and
    opening today, until the ``with`` block ends. As the outbox, a client sends the same batch again until it
    is answered 200.

    ``answers``: ``(path, status, note)`` of every request, status 0 for a connection cut (the note is then the
    error), else ``note(response)``; ``acknowledged``: the client_ids of the sets answered. A batch answered
    with another status than created or duplicate fails the test when the block ends."""

    def __init__(self, base: str, *, note, timeout: float, clients: int = 4):
        self.base, self.note, self.timeout = base, note, timeout
        login = {"username": "demo-alfredson", "password": "rehab-demo-2026"}
        token = requests.post(base + "/api/v1/auth/token/", json=login, timeout=10).json()["access"]
        self.headers = {"Authorization": f"Bearer {token}"}
        self.today = dt.datetime.now(ZoneInfo("Europe/Copenhagen")).date().isoformat()
        self.answers, self.acknowledged, self._stop = [], set(), threading.Event()
        self.unexpected: list[list[str]] = []  # batch statuses other than created/duplicate, asserted at exit
        self._clients = [threading.Thread(target=self._patient) for _ in range(clients)]

    def __enter__(self):
        for client in self._clients:
            client.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for client in self._clients:
            client.join(timeout=60)
        if exc[0] is None:  # the test's own failure, if any, stays the one reported
            assert self.unexpected == [], f"batch answers other than created/duplicate: {self.unexpected}"

    def _one(self, method, path, body=None):
        try:
            answer = requests.request(method, self.base + path, json=body, headers=self.headers, timeout=self.timeout)
        except requests.RequestException as exc:  # a connection cut by the restart: the client retries
            self.answers.append((path, 0, str(exc)[:80]))
            return None
        self.answers.append((path, answer.status_code, self.note(answer)))
        return answer

    def _patient(self):
        while not self._stop.is_set():
            batch = [{"client_id": str(uuid.uuid4()), "date": self.today, "exercise": "eccentric_heel_drop_straight",
                      "reps": 15, "load_kg": 0, "pain": 2, "session": "am"} for _ in range(5)]  # fmt: skip
            while True:  # as the outbox: the same batch again until it is answered
                answer = self._one("POST", "/api/v1/logs/batch/", batch)
                if answer is not None and answer.status_code == 200:
                    statuses = {r["status"] for r in answer.json()["results"]}
                    if not statuses <= {"created", "duplicate"}:  # an assert here would only end this thread
                        self.unexpected.append(sorted(statuses))
                    self.acknowledged.update(b["client_id"] for b in batch)
                    break
                time.sleep(0.2)
            self._one("GET", "/api/v1/today/")
