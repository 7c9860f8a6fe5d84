import pytest
from django.conf import settings

from . import inflight
from .browser import bypass_csp, chromium, demo, phone, playwright_session  # noqa: F401 (fixtures for the browser tests)
from .contract import ContractClient
from .factories import AdminFactory, PatientFactory, PhysicianFactory, PhysioFactory
from .waiting import wait_for

AUDIT_TRIGGER = "patients_auditevent_no_truncate"


def pytest_configure(config):
    """Let the test runner's flush TRUNCATE the append-only audit table: the flush, and nothing else, turns
    the trigger off inside its own transaction (the database itself has no way around it)."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        if not any("patients_auditevent" in sql for sql in sql_list):
            return flush(self, sql_list)
        return flush(self, [f"ALTER TABLE patients_auditevent DISABLE TRIGGER {AUDIT_TRIGGER}", *sql_list,
                            f"ALTER TABLE patients_auditevent ENABLE TRIGGER {AUDIT_TRIGGER}"])  # fmt: skip

    DatabaseOperations.execute_sql_flush = execute_sql_flush

    # The Danish server texts: the .mo files are build output, compiled here when missing or stale.
    from rehab_tracker.translations import translations_compile

    translations_compile(locale_paths=settings.LOCALE_PATHS)


@pytest.fixture(autouse=True)
def _live_server_done_answering(request):
    """A test with the live server: after it (its browser closed), wait until the server has answered what the
    browser asked last, before the test database's flush (tests/inflight.py says why)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    # pytest-django's own live-server helper has set up transactional_db before this: its flush comes after
    yield
    assert wait_for(lambda: inflight.answering() == 0, seconds=30), "the live server is still answering"


def pytest_collection_modifyitems(config, items):
    if getattr(settings, "SERVICES_AVAILABLE", True):
        return
    skip = pytest.mark.skip(reason="PostgreSQL/Redis not reachable (laptop run; CI forbids this)")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    from django.core.cache import cache

    cache.clear()


def client_for(user) -> ContractClient:
    """An API client (every answer checked against the OpenAPI document), authenticated as ``user``."""
    client = ContractClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    """``api(user)``: an API client authenticated as ``user`` (None: anonymous)."""
    return client_for


@pytest.fixture
def physio(db):
    return PhysioFactory()


@pytest.fixture
def physician(db):
    return PhysicianFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def patient(db, physio, physician):
    return PatientFactory(physio=physio, physician=physician)


@pytest.fixture
def push_service(settings, tmp_path):
    """A running fake push service, allowed as a Web Push endpoint, with fresh VAPID keys."""
    from notifications.channels import vapid_keys

    from .fake_push import FakePushService

    settings.VAPID_KEY_FILE = tmp_path / "vapid.json"
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""
    vapid_keys.cache_clear()
    with FakePushService() as service:
        settings.WEBPUSH_ALLOWED_ENDPOINTS = [service.prefix]
        yield service
    vapid_keys.cache_clear()


@pytest.fixture
def subscribe():
    """``subscribe(user, push_service)``: register a push subscription the way the PWA does."""
    from notifications.models import PushSubscription

    def _subscribe(user, service, name="device"):
        response = client_for(user).post("/api/v1/push-subscriptions/", service.subscription(name), format="json")
        assert response.status_code == 201, response.content
        return PushSubscription.objects.get(pk=response.json()["id"])

    return _subscribe


@pytest.fixture(autouse=True)
def _celery_queue_selection():
    """A test worker started with ``queues=`` narrows the app's queue selection for good (Celery's
    ``Queues.select``): the next test's worker would consume only those. Put it back after every test."""
    from rehab_tracker.celery import app

    queues = app.amqp.queues
    saved = queues._consume_from
    yield
    queues._consume_from = saved
