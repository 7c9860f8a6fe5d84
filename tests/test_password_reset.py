"""A forgotten password, by e-mail: the same answer for any address, a link that works once, rate-limited."""

import re
from urllib.parse import parse_qs

from django.core import mail

from .factories import PASSWORD, PatientFactory, UserFactory

NEW_PASSWORD = "single-leg-rise-42"


def ask(api, email, **extra):
    return api(None).post("/api/v1/auth/password-reset/", {"email": email}, format="json", **extra)


def link_of(message) -> dict:
    fragment = re.search(r"https://clinic\.example/reset-password#(\S+)", message.body).group(1)
    return {k: v[0] for k, v in parse_qs(fragment).items()}


def confirm(api, link, password=NEW_PASSWORD):
    return api(None).post("/api/v1/auth/password-reset/confirm/", link | {"password": password}, format="json")


def test_unknown_and_known_addresses_get_the_same_answer(api, db):
    PatientFactory(user=UserFactory(email="anna@example.org"))
    known, unknown = ask(api, "Anna@Example.org"), ask(api, "nobody@example.org")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]


def test_the_link_sets_a_new_password_once_and_ends_old_sessions(api, db):
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


def test_a_bad_link_or_weak_password_is_a_400(api, db):
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


def test_requests_are_rate_limited_per_address_and_per_email(api, db, settings):
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
