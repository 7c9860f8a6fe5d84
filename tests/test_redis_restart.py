"""Redis restarted under load, for real (as a failover looks to the app: the broker and cache gone, then back).

A Redis of the test's own (a free port, nothing on disk; the machine's Redis serves the rest of the suite),
a database of the test's own with the demo data, gunicorn on both, four patients' clients sending batches
of sets and opening today while Redis shuts down and starts again. Nothing answers 500: writes go on
(the write limits count in Redis and let a request through while they cannot count), the sets are
stored in PostgreSQL once each, and the same gunicorn is healthy again afterwards.
"""

import os
import shutil
import socket
import subprocess
from pathlib import Path

import psycopg
import pytest
import requests

from .load import PatientClients, free_port, serve_demo
from .waiting import wait_for

pytestmark = [pytest.mark.services]
DATABASE = "rt_redis_restart"


class OwnRedis:
    def __init__(self, port: int, folder: Path):
        self.port, self.folder, self.process = port, folder, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder), "--maxmemory-policy", "noeviction"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert wait_for(self.answers, 10)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # as a crashed primary: no goodbye to the clients
            self.process.wait(timeout=30)


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        if os.environ.get("RT_REQUIRE_SERVICES"):
            pytest.fail("redis-server is needed for the Redis restart test")
        pytest.skip("no redis-server")
    redis = OwnRedis(free_port(), tmp_path)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def own_database():
    admin = "postgres://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    yield f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _server_error(answer) -> str:
    return answer.text[:200] if answer.status_code >= 500 else ""


def test_a_redis_restart_under_load_loses_no_set_and_answers_no_500(own_redis, own_database, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {
        "DATABASE_URL": own_database, "REDIS_URL": f"redis://127.0.0.1:{own_redis.port}/0", "DEBUG": "False",
        "SECRET_KEY": "test-only-secret-key-for-the-redis-restart-test", "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false", "RT_VAR_DIR": str(tmp_path / "var"),
        "WRITE_BURST_RATE": "100000/min", "WRITE_DAY_RATE": "1000000/day", "SET_LOG_RATE": "1000000/day",
    }  # fmt: skip
    server, base = serve_demo(env)

    def healthy() -> bool:
        try:
            return requests.get(base + "/api/v1/health/", timeout=2).json().get("status") == "ok"
        except (requests.RequestException, ValueError):
            return False

    try:
        assert wait_for(healthy, 60)
        with PatientClients(base, timeout=15, note=_server_error) as load:
            assert wait_for(lambda: len(load.answers) > 20, 30)
            own_redis.stop()
            down_at = len(load.answers)
            assert wait_for(lambda: len(load.answers) > down_at + 20, 60)  # load while Redis is gone
            own_redis.start()
            up_at = len(load.answers)
            assert wait_for(lambda: len(load.answers) > up_at + 20, 60)
        answers, acknowledged = load.answers, load.acknowledged
        statuses = [status for _, status, _ in answers]
        failures = [a for a in answers if a[1] not in (200,)]
        assert 500 not in statuses, failures[:5]
        during = statuses[down_at:up_at]
        assert during.count(200) > 10, failures[:5]  # sets are stored while Redis is gone
        assert all(status == 200 for status in statuses[-10:])  # recovered, same gunicorn
        assert wait_for(healthy, 30) and server.poll() is None
        with psycopg.connect(own_database) as conn:
            stored = conn.execute(
                "SELECT count(*), count(DISTINCT client_id) FROM exercises_setlog WHERE client_id = ANY(%s::uuid[])",
                [list(acknowledged)],
            ).fetchone()
        assert stored == (len(acknowledged), len(acknowledged))
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_cache_answers_nothing_cached_while_redis_is_unreachable(caplog):
    from core.cache import ResilientRedisCache

    cache = ResilientRedisCache(f"redis://127.0.0.1:{free_port()}/0", {})  # nothing listens there
    assert cache.get("count", default=[]) == [] and cache.get_many(["a", "b"]) == {}
    assert cache.add("lock", 1) is False and cache.has_key("count") is False
    cache.set("count", [1.0], 60)  # dropped, not raised
    assert cache.incr("n", 3) == 3
    assert "cache unreachable: get skipped" in caplog.text and "count" not in caplog.text
