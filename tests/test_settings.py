"""Settings refuse to run production with development defaults; a fresh process boots cleanly."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(script: str, **env) -> subprocess.CompletedProcess:
    """``script`` in a fresh interpreter, with the project's settings and ``env`` over a clean environment."""
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", script],
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
    result = run_python("import rehab_tracker.settings", **env)
    assert result.returncode != 0 and message in result.stderr


def test_debug_false_with_real_settings_loads():
    env = {"DEBUG": "False", "SECRET_KEY": "a-real-secret", "DATABASE_URL": "postgres://u@127.0.0.1/db"}
    result = run_python("import rehab_tracker.settings", **env)
    assert result.returncode == 0, result.stderr


def test_system_checks_pass_in_a_fresh_interpreter():
    result = run_python(
        "import django; django.setup(); from django.core.checks import run_checks;"
        "errors = [e for e in run_checks() if e.is_serious()]; print(errors); raise SystemExit(bool(errors))"
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_worker_process_boots_django_and_finds_the_tasks():
    """What ``celery worker`` does first: the Django fixup's checks, then the task modules."""
    result = run_python(
        "from rehab_tracker.celery import app; from celery.fixups.django import fixup;"
        "fixup(app).worker_fixup.validate_models(); app.loader.import_default_modules();"
        "print(sorted(t for t in app.tasks if t.startswith('notifications.')))"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "notifications.tasks.sweep_reminders" in result.stdout and "Traceback" not in result.stderr
