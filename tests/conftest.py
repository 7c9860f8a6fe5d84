import pytest
from django.conf import settings
from rest_framework.test import APIClient

from .factories import AdminFactory, PatientFactory, PhysicianFactory, PhysioFactory


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


def client_for(user) -> APIClient:
    client = APIClient()
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
