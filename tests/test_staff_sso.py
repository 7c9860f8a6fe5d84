"""Staff single sign-on through a real OpenID Connect provider run here (npm oidc-provider): the
authorization-code flow with PKCE, staff found by verified e-mail, the role from a claim, the one-time
hand-off code exchanged for tokens once, and everything off without a provider configured."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from django.test import Client

from .factories import PhysicianFactory, PhysioFactory, UserFactory
from .oidc import oidc_provider

pytestmark = pytest.mark.services
ACCOUNTS = {
    "anna": {"email": "Anna.Physio@clinic.test", "email_verified": True, "rehab_role": "physio"},
    "bo": {"email": "bo@clinic.test", "email_verified": True, "rehab_role": "admin"},
    "stranger": {"email": "nobody@elsewhere.test", "email_verified": True, "rehab_role": "physio"},
    "unverified": {"email": "carl@clinic.test", "email_verified": False},
    "pat": {"email": "pat@home.test", "email_verified": True},
    "odd": {"email": "dora@clinic.test", "email_verified": True, "rehab_role": "superhero"},
}


@pytest.fixture(scope="module")
def provider():
    with oidc_provider(["http://testserver/oidc/callback/"], ACCOUNTS) as config:
        yield config


@pytest.fixture
def sso(provider, settings, db):
    for name, value in provider.items():
        setattr(settings, name, value)
    return provider


def sign_on(login: str) -> tuple[Client, str]:
    """The browser's part, by hand: start at the app, sign in at the provider, come back. The app's last
    redirect (its Location)."""
    browser, idp = Client(), requests.Session()
    start = browser.get("/oidc/authenticate/")
    assert start.status_code == 302
    query = parse_qs(urlparse(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["response_type"] == ["code"] and "nonce" in query
    page = idp.get(start["Location"], timeout=10)
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text).group(1)
    answer = idp.post(urljoin(page.url, action), data={"prompt": "login", "login": login, "password": "x"},
                      allow_redirects=False, timeout=10)  # fmt: skip
    while not answer.headers["Location"].startswith("http://testserver/"):
        answer = idp.get(urljoin(answer.url, answer.headers["Location"]), allow_redirects=False, timeout=10)
    back = urlparse(answer.headers["Location"])
    assert back.path == "/oidc/callback/" and "code" in parse_qs(back.query)
    answer = browser.get(f"{back.path}?{back.query}")
    while answer.status_code == 302 and answer["Location"].startswith("/sso/"):
        answer = browser.get(answer["Location"])
    assert answer.status_code == 302
    return browser, answer["Location"]


def handoff_code(location: str) -> str:
    assert location.startswith("/signin#sso="), location
    return location.split("#sso=", 1)[1]


def test_a_physio_signs_on_by_email_and_exchanges_the_code_once(api, sso):
    physio = PhysioFactory(email="anna.physio@clinic.test")
    browser, location = sign_on("anna")
    code = handoff_code(location)
    assert "_auth_user_id" not in browser.session  # no Django session outlives the hand-off
    tokens = api(None).post("/api/v1/auth/sso/exchange/", {"code": code})
    assert tokens.status_code == 200
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")
    assert client.get("/api/v1/me/").json()["id"] == physio.id
    again = api(None).post("/api/v1/auth/sso/exchange/", {"code": code})
    assert again.status_code == 401 and again.json()["code"] == "sso_code_invalid"


def test_sso_tokens_are_not_held_back_for_enrolment(api, sso, settings):
    settings.STAFF_MFA_REQUIRED = True  # the identity provider's policy covers the second factor
    PhysioFactory(email="anna.physio@clinic.test")
    tokens = api(None).post("/api/v1/auth/sso/exchange/", {"code": handoff_code(sign_on("anna")[1])}).json()
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert client.get("/api/v1/patients/").status_code == 200
    assert client.get("/api/v1/auth/mfa/").json()["enrol_now"] is False


def test_the_role_comes_from_the_claim(sso):
    user = PhysicianFactory(email="bo@clinic.test")
    handoff_code(sign_on("bo")[1])
    user.refresh_from_db()
    assert user.role == "admin"


@pytest.mark.parametrize(
    ("login", "why"),
    [("stranger", "unknown e-mail"), ("unverified", "unverified e-mail"), ("pat", "a patient's e-mail"),
     ("odd", "no staff role")],
)  # fmt: skip
def test_refused(sso, login, why, db):
    UserFactory(email="pat@home.test")  # a patient
    PhysioFactory(email="carl@clinic.test")
    dora = PhysioFactory(email="dora@clinic.test")
    _, location = sign_on(login)
    assert location == "/signin?sso=failed", why
    dora.refresh_from_db()
    assert dora.role == "physio"


def test_a_password_session_gets_no_handoff_code(sso, client):
    admin = PhysioFactory(is_staff=True)
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    answer = client.get("/sso/complete/")
    assert answer.status_code == 302 and answer["Location"] == "/signin?sso=failed"


def test_a_made_up_code_is_refused(api, sso, db):
    answer = api(None).post("/api/v1/auth/sso/exchange/", {"code": "x" * 43})
    assert answer.status_code == 401 and answer.json()["code"] == "sso_code_invalid"


def test_without_a_provider_sso_is_off(api, db, client):
    assert api(None).get("/api/v1/auth/sso/").json() == {
        "enabled": False, "provider": "your organisation", "login_url": None, "staff_local_passwords": True,
    }  # fmt: skip
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=a&state=b").status_code == 404
    assert client.get("/sso/complete/").status_code == 404
