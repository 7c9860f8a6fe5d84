"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered."""

import os

from celery import Celery

from core.logs import connect_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehab_tracker.settings")

app = Celery("rehab_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
connect_celery_signals()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs):
    """The file-system broker (embedded default) needs its folders to exist."""
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        folder = (sender.conf.broker_transport_options or {}).get(key)
        if folder:
            os.makedirs(folder, exist_ok=True)
