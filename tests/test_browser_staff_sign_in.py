"""A clinician's sign-in in a real browser (Chromium): through the local OpenID Connect provider (npm
oidc-provider, authorization code with PKCE) back into the app's caseload, and, where the clinic requires a
second factor, setting up an authenticator app from the server's QR code and signing in with its code."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice

from .browser import sign_in
from .factories import PhysioFactory
from .oidc import oidc_provider
from .test_staff_totp import code_at

pytestmark = [pytest.mark.browser, pytest.mark.services]
DESKTOP = {"width": 1366, "height": 768}
ACCOUNTS = {"anna": {"email": "anna@clinic.test", "email_verified": True, "rehab_role": "physio"}}


@pytest.fixture(scope="module")
def provider(live_server):
    with oidc_provider([live_server.url + "/oidc/callback/"], ACCOUNTS) as config:
        yield config


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport=DESKTOP)
    # Loopback only: the provider's development pages link a web font from the internet.
    context.route("**/*", lambda route: route.continue_() if _loopback(route.request.url) else route.abort())
    yield context
    context.close()


def _loopback(url: str) -> bool:
    return urlparse(url).hostname in {"127.0.0.1", "localhost"}


def test_clinician_signs_in_through_the_oidc_provider(live_server, provider, settings, desktop, transactional_db):
    for name, value in provider.items():
        setattr(settings, name, value)
    physio = PhysioFactory(email="anna@clinic.test", username="anna-physio")
    page = desktop.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    page.locator("input[name=login]").fill("anna")  # the provider's own sign-in page
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url("**/caseload")
    assert "sso=" not in page.url  # the one-time code left the address at once
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.get_by_role("link", name="Enrol").is_visible()  # a physio's screens: signed in as the physio
    physio.refresh_from_db()
    assert physio.last_login is not None  # the tokens were issued to this account


def test_required_second_factor_enrol_then_sign_in_with_a_code(live_server, settings, desktop, transactional_db):
    settings.STAFF_MFA_REQUIRED = True
    physio = PhysioFactory(username="tove-physio")
    physio.set_password("rehab-demo-2026")
    physio.save()
    page = desktop.new_page()
    sign_in(page, live_server.url, "tove-physio")
    page.get_by_text("Your clinic requires two-factor sign-in").wait_for()  # no caseload before enrolment
    page.get_by_role("button", name="Set up an authenticator app").click()
    page.get_by_role("img", name="QR code for the authenticator app").locator("svg").wait_for()
    secret = page.get_by_test_id("totp-secret").inner_text()
    device = TOTPDevice.objects.get(user=physio, confirmed=False)
    assert len(secret) == 32
    now = dt.datetime.now(dt.UTC)
    page.get_by_label("Two-factor code").fill(code_at(device, now))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_test_id("recovery-codes").locator("li").nth(9).wait_for()
    assert len(page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()) == 10
    page.get_by_role("button", name="I have saved them: continue").click()
    page.get_by_label("Search").wait_for()  # the caseload, now that the factor is set up

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").wait_for()
    with time_machine.travel(now + dt.timedelta(seconds=60)):  # the next codes (each code works once)
        sign_in(page, live_server.url, "tove-physio")
        page.get_by_label("Two-factor code").fill(code_at(device, dt.datetime.now(dt.UTC)))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/caseload")
