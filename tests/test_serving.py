"""How the web client's files are served: precompressed, an installable manifest with an id, a favicon."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

DIST = Path(settings.WEB_CLIENT_ROOT)
pytestmark = pytest.mark.skipif(not (DIST / "index.html").exists(), reason="the web client is not built")


def _assets(suffix: str) -> list[str]:
    return sorted(f"/assets/{p.name}" for p in (DIST / "assets").glob(f"*{suffix}"))


@pytest.mark.parametrize("suffix", [".js", ".css"])
def test_scripts_and_styles_go_out_compressed_when_the_browser_accepts_it(suffix):
    [url, *_] = _assets(suffix)
    client = Client()
    for accepts, encoding in (("gzip, deflate, br", "br"), ("gzip", "gzip")):
        answer = client.get(url, HTTP_ACCEPT_ENCODING=accepts)
        assert answer.status_code == 200 and answer["Content-Encoding"] == encoding, url
        assert "Accept-Encoding" in answer["Vary"]
    plain = client.get(url)
    assert plain.status_code == 200 and not plain.has_header("Content-Encoding")


def test_the_manifest_has_an_id_and_the_favicon_is_found():
    client = Client()
    manifest = json.loads(b"".join(client.get("/manifest.webmanifest").streaming_content))
    assert manifest["id"] == "/" and manifest["start_url"] == "/today"
    favicon = client.get("/favicon.ico", follow=True)
    assert favicon.status_code == 200 and favicon["Content-Type"] == "image/png"
