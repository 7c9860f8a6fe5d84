"""Test settings: real PostgreSQL and Redis on loopback.

When either service is unreachable the suite fails if ``RT_REQUIRE_SERVICES`` is
set (CI sets it); on a laptop it falls back to SQLite and an in-memory broker
and skips the tests marked ``services``.
"""

import os
import re
import socket
from urllib.parse import urlparse

# The suite runs the development configuration (an empty environment is production, which needs a real secret).
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rehab_tracker")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# The suite runs in two processes (pytest-xdist, pyproject.toml): each has a test database of its own
# (pytest-django names them test_…_gw0, test_…_gw1) and four Redis databases of its own, counted down from
# REDIS_URL's: the broker's, the cache's just below it, and two spares for tests that start an app of their own
# (TEST_REDIS_SPARES) — 15 to 12 for the first process, 11 to 8 for the second — so no process clears another's
# cache or takes its Celery tasks. The environment is changed, so the processes a test starts inherit it.
_redis = re.fullmatch(r"(rediss?://[^/]*)(?:/(\d+))?", os.environ["REDIS_URL"])
_worker = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))
TEST_REDIS_SPARES: list[str] = []
if _redis:
    _first = int(_redis[2] or 0)  # no number: database 0
    # once per process: an interpreter a test starts inherits the shifted URL and the mark
    if _worker and os.environ.get("RT_TEST_REDIS_SHIFTED") != _worker[0]:
        _first -= 4 * int(_worker[1])
        os.environ.update(REDIS_URL=f"{_redis[1]}/{_first}", RT_TEST_REDIS_SHIFTED=_worker[0])
    if _first < 3:
        raise RuntimeError(
            f"REDIS_URL {os.environ['REDIS_URL']}: each test process takes a Redis database and the three below it; "
            "give a database number of 4 × processes - 1 or more (the default, /15, leaves room for four)"
        )
    TEST_REDIS_SPARES = [f"{_redis[1]}/{_first - 2}", f"{_redis[1]}/{_first - 3}"]


def _reachable(url: str) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


SERVICES_AVAILABLE = _reachable(os.environ["DATABASE_URL"]) and _reachable(os.environ["REDIS_URL"])
if not SERVICES_AVAILABLE:
    if os.environ.get("RT_REQUIRE_SERVICES"):
        raise RuntimeError(
            f"PostgreSQL ({os.environ['DATABASE_URL']}) or Redis ({os.environ['REDIS_URL']}) is not reachable, "
            "and RT_REQUIRE_SERVICES forbids skipping."
        )
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"
    os.environ["REDIS_URL"] = ""

from rehab_tracker.settings import *  # noqa: E402,F403
from rehab_tracker.settings import MIDDLEWARE, REST_FRAMEWORK  # noqa: E402

MIDDLEWARE = ["tests.inflight.middleware", *MIDDLEWARE]  # the browser tests wait for the live server's answers

if not SERVICES_AVAILABLE:
    CELERY_BROKER_URL = "memory://"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:  # a Redis database of its own: the tests clear it, and the broker's queues must survive that
    # the cache in the Redis database just below the broker's (15 -> 14), so that two checkouts whose suites
    # run at once on one Redis (REDIS_URL=.../15, .../7: each suite takes eight, above) keep apart
    _base, _db = os.environ["REDIS_URL"].rsplit("/", 1)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": f"{_base}/{int(_db or 15) - 1}"}}  # fmt: skip

DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Generous: tests of the limits set their own rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"login": "1000/min", "write_burst": "100000/min", "write_day": "1000000/day",
                               "set_logs": "1000000/day", "password_reset": "100000/hour"},
}  # fmt: skip
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
VAPID_AUTOGENERATE = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "patients.sms.LocmemBackend"
PUBLIC_BASE_URL = "https://clinic.example"
