"""The web client (``web/``, built by Vite into ``web/dist``) served by this project.

WhiteNoise serves the built files at the site root (``/assets/…``, ``/sw.js``, ``/manifest.webmanifest``,
the icons); :func:`app_shell` answers each of the app's own paths with its ``index.html``, so a reload or a
notification's link opens the right screen. WhiteNoise's headers for those files are in ``headers.py``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse

# The app's screens: signing in (an invitation, a forgotten password), patient (today, check-in, VISA-A,
# progress, reminders, inbox, messages) and clinician (with its security screen and the clinic's settings).
APP_PATHS = (
    r"^(?:|signin|invite|reset-password|today|learn|checkin|visa-a|progress|reminders|inbox|messages|rtm|caseload|flags"
    r"|enrol|security|clinic|patients/\d+)/?$"
)

NOT_BUILT = (
    "<!doctype html><html lang='en'><meta charset='utf-8'><title>Rehab Tracker</title>"
    "<p>The web client is not built yet: <code>./run.sh start</code> builds it (it needs Node.js 20 and npm)."
    " The API is at <a href='/api/docs/'>/api/docs/</a>.</p></html>"
)


@lru_cache(maxsize=1)
def _shell(path: Path, mtime: float) -> bytes:
    return path.read_bytes()


def app_shell(request, **_):
    index = Path(settings.WEB_CLIENT_ROOT) / "index.html"
    try:
        body = _shell(index, index.stat().st_mtime)
    except FileNotFoundError:
        return HttpResponse(NOT_BUILT, status=503, headers={"Retry-After": "60"})
    return HttpResponse(body, content_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})
