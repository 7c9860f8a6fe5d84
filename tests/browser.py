"""Real-browser tests: Playwright for Python driving Debian's Chromium (/usr/bin/chromium), never a
downloaded browser build. Without Chromium, Playwright or the built web client a laptop skips these
tests; CI (RT_REQUIRE_SERVICES=1) fails instead."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

CHROMIUM = os.environ.get("RT_CHROMIUM", "/usr/bin/chromium")
AXE = Path(settings.BASE_DIR) / "web" / "node_modules" / "axe-core" / "axe.min.js"
# As the machine's notes say: without these, Chromium reaches for Google's hosts on a closed network.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip
PHONE = {"width": 390, "height": 844}
PASSWORD = "rehab-demo-2026"


def missing() -> str:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    if not (Path(settings.WEB_CLIENT_ROOT) / "index.html").exists():
        return "the web client is not built (./run.sh test builds it with npm)"
    return ""


@pytest.fixture(scope="session")
def playwright_session():
    reason = missing()
    if reason:
        if os.environ.get("RT_REQUIRE_SERVICES"):
            pytest.fail(f"browser tests cannot run: {reason}; CI may not skip them")
        pytest.skip(reason)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def chromium(playwright_session):
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def demo(transactional_db):
    """The demo data (seed_demo), its patients by username."""
    from patients.models import Patient

    call_command("seed_demo", verbosity=0)
    return {p.user.username: p for p in Patient.objects.select_related("user")}


@pytest.fixture
def bypass_csp():
    """Whether ``phone`` bypasses the CSP: a module that injects axe-core overrides this with True."""
    return False


@pytest.fixture
def phone(chromium, bypass_csp):
    """A phone (390×844, touch) in its own browser context."""
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=bypass_csp)
    yield context
    context.close()


@contextmanager
def persistent_context(playwright_session, **options):
    """A profile on disk: Chromium keeps the Push API out of incognito contexts."""
    folder = tempfile.mkdtemp(prefix="rt-chromium-")
    context = playwright_session.chromium.launch_persistent_context(
        folder, executable_path=CHROMIUM, args=ARGS, **options
    )
    try:
        yield context
    finally:
        context.close()
        shutil.rmtree(folder, ignore_errors=True)


def sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def poll(page, expression: str, timeout: float = 10.0):
    """The first truthy value of ``expression`` (page.evaluate is not subject to the page's CSP, whereas
    wait_for_function evaluates strings inside the page, which the CSP forbids)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value or time.monotonic() > deadline:
            assert value, f"timed out waiting for {expression}"
            return value
        page.wait_for_timeout(100)


def wait_for_service_worker(page) -> None:
    """The service worker installed (app shell precached) and controlling the page."""
    page.evaluate("navigator.serviceWorker.ready")
    poll(page, "navigator.serviceWorker.controller !== null")


def scrolls_sideways(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core (from npm) injected into the page; the context must bypass CSP for the injection."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def check_screens(page, base: str, paths: list[str]) -> dict[str, list[dict]]:
    """Open each screen; none may scroll sideways; axe-core's serious or critical findings per path."""
    found = {}
    for path in paths:
        page.goto(base + path)
        page.locator("main h1").wait_for()
        page.locator("[aria-busy=true]").wait_for(state="detached")
        assert not scrolls_sideways(page), path
        found[path] = axe_violations(page)
    return found
