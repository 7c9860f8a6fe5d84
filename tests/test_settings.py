"""Settings refuse to run production with development defaults."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", "import rehab_tracker.settings"],
        cwd=ROOT, env=clean | {"DJANGO_SETTINGS_MODULE": "rehab_tracker.settings"} | env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "False"}, "SECRET_KEY must be set"),
        ({"DEBUG": "False", "SECRET_KEY": "a-real-secret"}, "DATABASE_URL must be set"),
    ],
)
def test_debug_false_refuses_development_defaults(env, message):
    result = load_settings(**env)
    assert result.returncode != 0 and message in result.stderr


def test_debug_false_with_real_settings_loads():
    result = load_settings(DEBUG="False", SECRET_KEY="a-real-secret", DATABASE_URL="postgres://u@127.0.0.1/db")
    assert result.returncode == 0, result.stderr
