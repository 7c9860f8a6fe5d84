import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rehab_tracker.settings")
application = get_wsgi_application()
# Import every view now, not at each worker's first request: with gunicorn's preload_app the workers then
# share one loaded copy of the code, and a worker recycled later never imports files that changed on disk
# since the master started (a mix of two releases).
get_resolver().url_patterns  # noqa: B018 (evaluated for its import side effect)
