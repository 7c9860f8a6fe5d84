"""A real OpenID Connect provider for the SSO tests: npm ``oidc-provider`` (web/scripts/oidc-provider.mjs) run
by Node on a free loopback port, with one client (PKCE required) and the given accounts, and the settings
that point this app at it. Without Node or the package a laptop skips; CI (RT_REQUIRE_SERVICES) fails."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "web" / "scripts" / "oidc-provider.mjs"
PACKAGE = Path(settings.BASE_DIR) / "web" / "node_modules" / "oidc-provider"
CLIENT_ID, CLIENT_SECRET = "rehab-tracker-tests", "tests-only-client-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def oidc_provider(redirect_uris: list[str], accounts: dict[str, dict]):
    """Yields the settings (OIDC_*) for a provider that runs until the block ends."""
    node = shutil.which("node")
    if not node or not PACKAGE.exists():
        reason = "Node.js or web/node_modules/oidc-provider is missing (cd web && npm ci)"
        if os.environ.get("RT_REQUIRE_SERVICES"):
            pytest.fail(reason)
        pytest.skip(reason)
    port = _free_port()
    process = subprocess.Popen(
        [node, str(SCRIPT), str(port), CLIENT_ID, CLIENT_SECRET, *redirect_uris],
        env=os.environ | {"OIDC_TEST_ACCOUNTS": json.dumps(accounts)},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline and not line.startswith("ready"):
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
        if not line.startswith("ready"):
            pytest.fail(f"the OIDC provider did not start (exit {process.poll()})")
        issuer = line.split()[1]
        yield {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{issuer}/auth",
            "OIDC_OP_TOKEN_ENDPOINT": f"{issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{issuer}/me",
            "OIDC_OP_JWKS_ENDPOINT": f"{issuer}/jwks",
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_PROVIDER_NAME": "Test IdP",
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
