"""PostgreSQL restarted under load, for real.

A PostgreSQL cluster of the test's own (Debian's pg_createcluster, port 5439, dropped afterwards: the
machine's main cluster serves the rest of the suite), gunicorn on it with the demo data, a patient's
client sending batches of sets and opening today while `pg_ctlcluster restart` runs. Requests in flight
fail cleanly (503 with Retry-After, never a 500), the next ones succeed with the same gunicorn, and a
client that resends its batch with the same client_ids until it is answered stores each set once.
"""

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

pytestmark = [pytest.mark.services]
ROOT = Path(__file__).resolve().parent.parent
NAME, PORT = "rt_restart", 5439


def _version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[0] if os.path.isdir("/etc/postgresql") else ""


def _ctl(*args: str) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", _version(), NAME, *args], check=True,
                   capture_output=True, timeout=120)  # fmt: skip


@pytest.fixture
def own_cluster():
    if not (shutil.which("pg_createcluster") and _version() and os.geteuid() == 0):
        reason = "needs Debian's pg_createcluster, run as root"
        if os.environ.get("RT_REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)
    subprocess.run(["pg_dropcluster", "--stop", _version(), NAME], capture_output=True)
    subprocess.run(["pg_createcluster", _version(), NAME, "-p", str(PORT), "--", "--auth=trust"], check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    _ctl("start")
    try:
        yield f"postgres://postgres@127.0.0.1:{PORT}/postgres"
    finally:
        subprocess.run(["pg_dropcluster", "--stop", _version(), NAME], capture_output=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_postgresql_restart_under_load(own_cluster, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {
        "DATABASE_URL": own_cluster, "REDIS_URL": "redis://127.0.0.1:6379/12", "DEBUG": "False",
        "SECRET_KEY": "test-only-secret-key-for-the-restart-test", "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false", "RT_VAR_DIR": str(tmp_path / "var"),
        # four clients writing as fast as they can: the write limits would answer 429 (tested elsewhere)
        "WRITE_BURST_RATE": "100000/min", "WRITE_DAY_RATE": "1000000/day", "SET_LOG_RATE": "1000000/day",
    }  # fmt: skip
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "rehab_tracker.wsgi", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/api/v1/health/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        login = {"username": "demo-alfredson", "password": "rehab-demo-2026"}
        token = requests.post(base + "/api/v1/auth/token/", json=login, timeout=10).json()["access"]
        headers = {"Authorization": f"Bearer {token}"}
        today = dt.datetime.now(ZoneInfo("Europe/Copenhagen")).date().isoformat()
        answers, acknowledged, stop = [], set(), threading.Event()

        def one(method, path, body=None):
            try:
                answer = requests.request(method, base + path, json=body, headers=headers, timeout=10)
            except requests.RequestException as exc:  # a connection cut by the restart: the client retries
                answers.append((path, 0, str(exc)[:80]))
                return None
            answers.append((path, answer.status_code, answer.headers.get("Retry-After")))
            return answer

        def patient():
            while not stop.is_set():
                batch = [{"client_id": str(uuid.uuid4()), "date": today, "exercise": "eccentric_heel_drop_straight",
                          "reps": 15, "load_kg": 0, "pain": 2, "session": "am"} for _ in range(5)]  # fmt: skip
                while True:  # as the outbox: the same batch again until it is answered
                    answer = one("POST", "/api/v1/logs/batch/", batch)
                    if answer is not None and answer.status_code == 200:
                        assert {r["status"] for r in answer.json()["results"]} <= {"created", "duplicate"}
                        acknowledged.update(b["client_id"] for b in batch)
                        break
                    time.sleep(0.2)
                one("GET", "/api/v1/today/")

        clients = [threading.Thread(target=patient) for _ in range(4)]
        for client in clients:
            client.start()
        time.sleep(3)
        before = len(answers)
        _ctl("restart")  # fast shutdown: open connections are cut, then PostgreSQL comes back
        restarted_at = len(answers)
        time.sleep(4)
        stop.set()
        for client in clients:
            client.join(timeout=60)
        statuses = [status for _, status, _ in answers]
        assert 503 in statuses or 0 in statuses  # the restart was felt by requests in flight
        assert before > 20 and len(answers) > restarted_at + 20  # load before, during and after
        assert 500 not in statuses and all(s in (0, 200, 503) for s in statuses), sorted(set(statuses))
        assert all(retry == "5" for _, status, retry in answers if status == 503)
        assert all(status == 200 for _, status, _ in answers[-10:])  # recovered, same gunicorn
        assert server.poll() is None
        import psycopg

        with psycopg.connect(own_cluster) as conn:
            stored = conn.execute(
                "SELECT count(*), count(DISTINCT client_id) FROM exercises_setlog WHERE client_id = ANY(%s::uuid[])",
                [list(acknowledged)],
            ).fetchone()
            (today_rows,) = conn.execute(
                "SELECT count(*) FROM exercises_setlog s JOIN patients_patient p ON p.id = s.patient_id "
                "JOIN patients_user u ON u.id = p.user_id WHERE s.date = %s AND u.username = 'demo-alfredson'",
                [today],
            ).fetchone()
        assert stored == (len(acknowledged), len(acknowledged))  # each answered set stored once
        assert today_rows == len(acknowledged)  # and nothing else: no set stored twice under another id
    finally:
        server.terminate()
        server.wait(timeout=30)
