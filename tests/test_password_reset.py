"""A forgotten password, by e-mail: the same answer for any address, a link that works once, rate-limited.
The e-mail goes out from a real Celery worker on the Redis broker, once however often its task is delivered."""

import re
from urllib.parse import parse_qs

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from patients import passwords, tasks
from rehab_tracker.celery import app

from .factories import PASSWORD, PatientFactory, UserFactory
from .waiting import TaskLedger, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "single-leg-rise-42"


@pytest.fixture
def ledger(settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    app.control.purge()
    tracked = TaskLedger()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        yield tracked
    tracked.close()


@pytest.fixture
def api(api, ledger):
    """Each accepted reset request's task has run before the test reads the outbox."""

    def client(user):
        inner = api(user)
        post = inner.post

        def posted(path, *args, **kwargs):
            response = post(path, *args, **kwargs)
            if path.endswith("/password-reset/") and response.status_code == 202:
                assert wait_for(ledger.idle)
            return response

        inner.post = posted
        return inner

    return client


def ask(api, email, **extra):
    return api(None).post("/api/v1/auth/password-reset/", {"email": email}, format="json", **extra)


def link_of(message) -> dict:
    fragment = re.search(r"https://clinic\.example/reset-password#(\S+)", message.body).group(1)
    return {k: v[0] for k, v in parse_qs(fragment).items()}


def confirm(api, link, password=NEW_PASSWORD):
    return api(None).post("/api/v1/auth/password-reset/confirm/", link | {"password": password}, format="json")


def test_unknown_and_known_addresses_get_the_same_answer(api):
    PatientFactory(user=UserFactory(email="anna@example.org"))
    known, unknown = ask(api, "Anna@Example.org"), ask(api, "nobody@example.org")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]


def test_the_link_sets_a_new_password_once_and_ends_old_sessions(api):
    user = UserFactory(email="anna@example.org")
    PatientFactory(user=user)
    old = api(None).post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}).json()
    ask(api, "anna@example.org")
    link = link_of(mail.outbox[0])
    assert confirm(api, link).status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    again = confirm(api, link, password="yet-another-pass-77")
    assert again.status_code == 400 and "token" in again.json()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    refresh = api(None).post("/api/v1/auth/token/refresh/", {"refresh": old["refresh"]})
    assert refresh.status_code == 401  # the new password revoked the tokens of the old one


def test_a_bad_link_or_weak_password_is_a_400(api):
    user = UserFactory(email="anna@example.org")
    ask(api, "anna@example.org")
    link = link_of(mail.outbox[0])
    assert "token" in confirm(api, link | {"token": "abc-123"}).json()
    assert "token" in confirm(api, link | {"uid": "!!"}).json()
    weak = confirm(api, link, password="123")
    assert weak.status_code == 400 and "password" in weak.json()
    assert confirm(api, link).status_code == 200  # a refused password left the link valid
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_requests_are_rate_limited_per_address_and_per_email(api, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] | {"password_reset": "3/hour"}
    }
    UserFactory(email="anna@example.org")
    answers = [ask(api, f"someone{n}@example.org").status_code for n in range(4)]
    assert answers == [202, 202, 202, 429]
    # the same mailbox from three other client addresses: its own limit
    from_elsewhere = [ask(api, "anna@example.org", REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(4)]
    assert from_elsewhere == [202, 202, 202, 429]
    assert len(mail.outbox) == 3


def test_the_e_mail_goes_once_however_often_its_task_is_delivered(api, ledger):
    user = UserFactory(email="anna@example.org")
    PatientFactory(user=user)
    assert ask(api, "anna@example.org").status_code == 202
    assert ledger.finished[passwords.SEND_RESETS] == 1 and len(mail.outbox) == 1
    [request_id] = [args[1] for args in ledger.args[passwords.SEND_RESETS]]
    tasks.send_password_resets.delay([user.pk], request_id)  # the same message again, as after a redelivery
    assert wait_for(ledger.idle) and ledger.finished[passwords.SEND_RESETS] == 2
    assert len(mail.outbox) == 1
    assert ask(api, "nobody@example.org").status_code == 202  # unknown: a task with no one to write to
    assert ledger.finished[passwords.SEND_RESETS] == 3 and len(mail.outbox) == 1
