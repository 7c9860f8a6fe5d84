"""docker-compose.yml without a Docker engine (none runs here): its shape, and its command lines run directly.

The web, worker and beat commands of the compose file are started as they are written, with the compose
environment (service hosts pointed at this machine's PostgreSQL and Redis) after the file's own migrate
step, and must answer their health checks.
"""

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_every_long_running_service_has_a_health_check():
    for name in ("postgres", "redis", "web", "worker", "worker-alerts", "worker-evaluation", "beat"):
        assert "healthcheck" in SERVICES[name], name


def test_red_flag_alerts_have_a_worker_of_their_own():
    from django.conf import settings

    assert SERVICES["worker"]["command"][-2:] == ["-Q", settings.CELERY_TASK_DEFAULT_QUEUE]
    assert SERVICES["worker-alerts"]["command"][-3:-1] == ["-Q", settings.CELERY_ALERTS_QUEUE]
    assert SERVICES["worker-evaluation"]["command"][-3:-1] == ["-Q", settings.CELERY_EVALUATION_QUEUE]


def test_migrations_run_once_beat_once_and_web_and_worker_scale():
    assert SERVICES["migrate"]["command"][-2:] == ["migrate", "--noinput"] and SERVICES["migrate"]["restart"] == "no"
    for name in ("web", "worker", "worker-alerts", "worker-evaluation", "beat"):
        assert SERVICES[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in SERVICES[name]["command"]  # replicas never migrate
        assert "container_name" not in SERVICES[name]  # a fixed name would stop --scale
    assert SERVICES["beat"]["deploy"]["replicas"] == 1
    assert SERVICES["web"]["ports"] == [
        "${WEB_PORTS:-8000-8009}:8000"
    ]  # a host port range: --scale web=N binds N ports


def _environment(database_url: str, redis_url: str, port: int) -> dict:
    env = {k: str(v) for k, v in COMPOSE["x-app"]["environment"].items()}
    env = {
        k: os.path.expandvars(v.replace("${SECRET_KEY:?set SECRET_KEY}", "compose-check-secret"))
        for k, v in env.items()
    }
    env |= {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "GUNICORN_BIND": f"127.0.0.1:{port}"}  # fmt: skip
    return {k: v for k, v in env.items() if "${" not in v} | {"PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}"}


def _ping(env: dict) -> str:
    """The worker's compose health check, run here: celery inspect ping."""
    command = [str(ROOT / ".venv/bin/celery"), "-A", "rehab_tracker", "inspect", "ping", "--timeout", "5"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def _command(name: str, port: int) -> list[str]:
    command = [c.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for c in SERVICES[name]["command"]]
    return [shutil.which(command[0], path=str(ROOT / ".venv/bin")) or command[0], *command[1:]]


@pytest.mark.services
@pytest.mark.skipif(not (ROOT / ".venv/bin/gunicorn").exists(), reason="needs the project's .venv")
def test_the_compose_commands_start_and_answer_their_health_checks(tmp_path):
    name = f"rehab_compose_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from django.conf import settings

    # a Redis database of this test process's own (tests/settings.py): its worker takes no other test's tasks
    env = _environment(f"postgres://postgres@127.0.0.1:5432/{name}", settings.TEST_REDIS_SPARES[0], port)
    started = []
    try:
        subprocess.run([*_command("migrate", port)], cwd=ROOT, env=env, check=True, capture_output=True)
        for service in ("web", "worker", "beat"):
            command = _command(service, port)
            if service == "beat":
                command = [c.replace("/tmp/beat.pid", str(tmp_path / "beat.pid")) for c in command]
            log = open(tmp_path / f"{service}.log", "w")  # noqa: SIM115 - lives as long as the process
            started.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log))
        deadline = time.monotonic() + 60
        healthy = False
        while time.monotonic() < deadline and not healthy:
            try:
                healthy = requests.get(f"http://127.0.0.1:{port}/api/v1/health/", timeout=3).json() == {
                    "status": "ok", "database": "ok", "broker": "ok"
                }  # fmt: skip
            except requests.RequestException:
                time.sleep(1)
        assert healthy, (tmp_path / "web.log").read_text()[-2000:]
        ping = ""
        for _ in range(6):  # a ping broadcast before the worker listens is lost: ask again
            ping = _ping(env)
            if "pong" in ping:
                break
        assert "pong" in ping, ping + (tmp_path / "worker.log").read_text()[-2000:]
        for _ in range(30):
            if (tmp_path / "beat.pid").exists():
                break
            time.sleep(1)
        os.kill(int((tmp_path / "beat.pid").read_text().strip()), 0)  # the beat health check: alive
        assert all(p.poll() is None for p in started)
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
