"""Settings refuse to run production with development defaults; a fresh process boots cleanly."""

import json
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
        ({}, "SECRET_KEY must be set"),  # an empty environment (a bare container) is production, not development
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


def test_debug_is_off_unless_the_environment_turns_it_on():
    script = "from rehab_tracker import settings; print(settings.DEBUG, settings.VAPID_AUTOGENERATE)"
    env = {"SECRET_KEY": "a-real-secret", "DATABASE_URL": "postgres://u@127.0.0.1/db"}
    assert run_python(script, **env).stdout.split() == ["False", "False"]
    assert run_python(script, DEBUG="True").stdout.split() == ["True", "True"]  # what ./run.sh start sets


def test_system_checks_pass_in_a_fresh_interpreter():
    result = run_python(
        "import django; django.setup(); from django.core.checks import run_checks;"
        "errors = [e for e in run_checks() if e.is_serious()]; print(errors); raise SystemExit(bool(errors))",
        DEBUG="True",
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_worker_process_boots_django_and_finds_the_tasks():
    """What ``celery worker`` does first: the Django fixup's checks, then the task modules."""
    result = run_python(
        "from rehab_tracker.celery import app; from celery.fixups.django import fixup;"
        "fixup(app).worker_fixup.validate_models(); app.loader.import_default_modules();"
        "print(sorted(t for t in app.tasks if t.startswith('notifications.')))",
        DEBUG="True",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "notifications.tasks.sweep_reminders" in result.stdout and "Traceback" not in result.stderr


def test_uploads_go_to_the_file_system_by_default_and_to_s3_when_a_bucket_is_set():
    show = "from django.conf import settings; import json; print(json.dumps(settings.STORAGES['default']))"
    script = f"import django; django.setup(); {show}"
    default = run_python(script, DEBUG="True")
    assert default.returncode == 0, default.stderr
    assert '"django.core.files.storage.FileSystemStorage"' in default.stdout
    s3 = run_python(script, DEBUG="True", MEDIA_S3_BUCKET="clinic-media", MEDIA_S3_ENDPOINT_URL="https://s3.example.test",
                    MEDIA_S3_ACCESS_KEY_ID="key-id", MEDIA_S3_SECRET_ACCESS_KEY="not-a-real-secret")  # fmt: skip
    assert s3.returncode == 0, s3.stderr
    storage = json.loads(s3.stdout.strip().splitlines()[-1])
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["access_key"], options["secret_key"]) == (
        "clinic-media", "https://s3.example.test", "key-id", "not-a-real-secret")  # fmt: skip
    assert options["default_acl"] is None  # a private bucket
    # django-storages is installed: the storage the settings name is built (no bucket is reached)
    build = "import django; django.setup(); from django.core.files.storage import storages; "
    built = run_python(build + "print(type(storages['default']).__name__)", DEBUG="True", MEDIA_S3_BUCKET="media")
    assert built.returncode == 0, built.stderr
    assert built.stdout.strip().splitlines()[-1] == "S3Storage"
