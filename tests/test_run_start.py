"""``./run.sh start`` as a newcomer runs it: it serves, and Ctrl-C stops every process it started.

Slow (migrations, demo data, three processes): one test. It runs on the embedded default (SQLite and the
file broker) in a temporary folder, so it leaves nothing in the clone.
"""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not (ROOT / ".venv/bin/python").exists(), reason="needs the project's .venv (./run.sh test)")
def test_ctrl_c_stops_web_worker_and_beat_within_20_seconds(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY")
    }
    env |= {"PORT": str(port), "RT_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}  # fmt: skip
    with open(tmp_path / "start.log", "wb") as log:
        process = subprocess.Popen(["./run.sh", "start"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # fmt: skip
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                try:
                    if requests.get(f"http://127.0.0.1:{port}/api/v1/health/", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert process.poll() is None, (tmp_path / "start.log").read_text()[-3000:]
                time.sleep(1)
            else:
                pytest.fail("./run.sh start did not answer within 240 s")
            app = requests.get(f"http://127.0.0.1:{port}/", timeout=5)  # the web client, built by start
            assert app.status_code == 200 and '<div id="app">' in app.text and "/assets/index-" in app.text
            assert requests.get(f"http://127.0.0.1:{port}/manifest.webmanifest", timeout=5).json()["display"] == (
                "standalone"
            )
            time.sleep(3)  # worker and beat up too
            os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C sends to the foreground group
            process.wait(timeout=25)
            started = time.monotonic()
            while time.monotonic() - started < 20 and _leftovers(port):
                time.sleep(0.5)
            assert not _leftovers(port), (tmp_path / "start.log").read_text()[-3000:]
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    log_text = (tmp_path / "start.log").read_text()
    assert log_text.count("Warm shutdown") <= 2 and "Stopped." in log_text
    assert not (ROOT / "control").exists()  # the file broker's pidbox stays under RT_VAR_DIR


def _leftovers(port: int) -> list[str]:
    """Processes still running from that start: celery or gunicorn with this test's database, or the port bound."""
    left = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"PORT={port}".encode() in environ and ("celery" in cmdline or "gunicorn" in cmdline):
            left.append(cmdline)
    return left
