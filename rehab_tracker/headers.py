"""Response headers for what this site serves: the Content-Security-Policy, and WhiteNoise's headers for the
web client's files (imported by settings, so nothing here touches Django's settings at import time)."""

import re

# A clinical data app: scripts, styles, images and connections only from this origin; no inline script anywhere.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # the Django admin and the dashboard's SVG use style attributes
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# Vite's content-hashed assets never change under one name: WhiteNoise caches them for good.
HASHED_ASSET_URL = r"^/assets/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$"


def webapp_headers(headers, path: str, url: str) -> None:
    """WhiteNoise: the CSP on every file it serves; everything but hashed assets revalidated on each load
    (the shell, the service worker and the manifest must never be stale)."""
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    if not re.match(HASHED_ASSET_URL, url) and not url.startswith("/static/"):
        headers["Cache-Control"] = "no-cache"
