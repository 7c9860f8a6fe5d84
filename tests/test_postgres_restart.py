"""PostgreSQL restarted under load, for real.

A PostgreSQL cluster of the test's own (Debian's pg_createcluster, port 5439, dropped afterwards: the
machine's main cluster serves the rest of the suite), gunicorn on it with the demo data, a patient's
client sending batches of sets and opening today while `pg_ctlcluster restart` runs. Requests in flight
fail cleanly (503 with Retry-After, never a 500), the next ones succeed with the same gunicorn, and a
client that resends its batch with the same client_ids until it is answered stores each set once.
"""

import os
import shutil
import subprocess
import time

import pytest
import requests

from .load import PatientClients, serve_demo
from .waiting import wait_for

pytestmark = [pytest.mark.services]
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


def test_a_real_postgresql_restart_under_load(own_cluster, tmp_path, settings):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {
        "DATABASE_URL": own_cluster, "REDIS_URL": settings.TEST_REDIS_SPARES[1], "DEBUG": "False",
        "SECRET_KEY": "test-only-secret-key-for-the-restart-test", "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false", "RT_VAR_DIR": str(tmp_path / "var"),
        # four clients writing as fast as they can: the write limits would answer 429 (tested elsewhere)
        "WRITE_BURST_RATE": "100000/min", "WRITE_DAY_RATE": "1000000/day", "SET_LOG_RATE": "1000000/day",
    }  # fmt: skip
    server, base = serve_demo(env)
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/api/v1/health/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        with PatientClients(base, timeout=10, note=lambda answer: answer.headers.get("Retry-After")) as load:
            assert wait_for(lambda: len(load.answers) > 20, seconds=60)  # load before the restart
            before = len(load.answers)
            _ctl("restart")  # fast shutdown: open connections are cut, then PostgreSQL comes back
            restarted_at = len(load.answers)

            def recovered() -> bool:  # load after it, and the last answers all 200 again
                tail = load.answers[-10:]
                return len(load.answers) > restarted_at + 20 and all(status == 200 for _, status, _ in tail)

            assert wait_for(recovered, seconds=60)
        answers, acknowledged, today = load.answers, load.acknowledged, load.today
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
