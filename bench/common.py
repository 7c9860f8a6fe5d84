"""Shared set-up for the benchmarks: a fresh PostgreSQL database and Django configured on it."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _drop(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_url() -> tuple[str, str]:
    base = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return base, urlunparse(urlparse(base)._replace(path="/postgres"))


def fresh_database(name: str, *, reuse: bool = False) -> str:
    """Database ``name`` next to the bench's server, dropped and created again (``reuse``: kept as it is when
    it exists), migrated; returns its URL. It is dropped when the bench exits (``BENCH_KEEP_DATABASE=1``
    keeps it)."""
    import atexit

    import psycopg

    base, admin_url = _admin_url()
    if not reuse:
        _drop(admin_url, name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    if not os.environ.get("BENCH_KEEP_DATABASE"):
        atexit.register(_drop, admin_url, name)
    url = urlunparse(urlparse(base)._replace(path=f"/{name}"))
    env = {**os.environ, **_django_env(), "DATABASE_URL": url}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], check=True, env=env)
    return url


def _django_env() -> dict:
    return {
        "DEBUG": "False",
        "SECURE_SSL_REDIRECT": "false",  # gunicorn on loopback speaks plain HTTP
        "SECRET_KEY": "bench-only-secret-key-not-for-production-use",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
        "DJANGO_SETTINGS_MODULE": "rehab_tracker.settings",
    }


def use_fresh_database(name: str, *, reuse: bool = False) -> str:
    """``fresh_database(name)``, then Django set up on it in this process (and in the processes it starts)."""
    url = fresh_database(name, reuse=reuse)
    os.environ.update(_django_env(), DATABASE_URL=url)
    import django

    django.setup()
    return url


def switch_database(url: str) -> None:
    """Point this process's Django (and the gunicorn or workers it starts next) at another bench database."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = urlparse(url).path.lstrip("/")
    os.environ["DATABASE_URL"] = url


def lift_write_limits() -> None:
    """Write limits far above a bench's load, for the gunicorn started next. They stay on: their cache round
    trips are part of every write a patient sends; only the counts that would refuse a bench's load go."""
    os.environ.update(WRITE_BURST_RATE="10000000/min", WRITE_DAY_RATE="100000000/day", SET_LOG_RATE="100000000/day")


def analyze() -> None:
    """Fresh statistics after seeding, as autovacuum would give a real database before anyone timed it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def vacuum_analyze(*tables: str) -> float:
    """``VACUUM (ANALYZE)`` the tables (all of them when none are named); returns the seconds it took.

    After seeding, a database that took its rows over months has been vacuumed: else autovacuum works through
    millions of fresh rows (visibility maps, freezing) during the measurement, and the run measures that. After
    deleting a run's rows, the same for the dead rows left behind.
    """
    from django.db import connection

    began = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables or ("",):
            cursor.execute(f"VACUUM (ANALYZE) {table}".strip())
    return time.perf_counter() - began


def autovacuums() -> set[str]:
    """The tables autovacuum is working on right now (to report any that ran during a timed phase)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(  # autovacuum workers in this database only (not the bench's own VACUUMs)
            "SELECT coalesce(c.relname, p.relid::text) FROM pg_stat_progress_vacuum p"
            " JOIN pg_stat_activity a ON a.pid = p.pid AND a.backend_type = 'autovacuum worker'"
            " LEFT JOIN pg_class c ON c.oid = p.relid WHERE p.datname = current_database()"
        )
        return {row[0] for row in cursor.fetchall()}


@contextmanager
def count_queries(connection):
    """Count the SQL statements run on ``connection`` (works with DEBUG off and for any number)."""
    counter = SimpleNamespace(count=0)

    def wrapper(execute, sql, params, many, context):
        counter.count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter


def start_gunicorn(workers: int = 2) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free loopback port with this process's environment; waits for /api/v1/health/."""
    import requests

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "rehab_tracker.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/health/", timeout=5).status_code == 200:
                return server, port
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start")
