"""A clinic's demonstration is served from this origin with HTTP range requests (a <video> asks for ranges):
the whole file, one range, a suffix; 416 for a range it cannot satisfy; only active demonstrations."""

import hashlib

import pytest

from core.ranges import Unsatisfiable, byte_range

from .factories import WEBM_BYTES, DemonstrationFactory

SIZE = len(WEBM_BYTES)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def video(db):
    return DemonstrationFactory()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_file_is_stored_under_its_content_hash_and_listed_with_that_url(video, client):
    digest = hashlib.sha256(WEBM_BYTES).hexdigest()
    assert video.file.name == f"demonstrations/{digest}.webm"
    assert (video.content_type, video.size) == ("video/webm", SIZE)


def test_the_whole_file_with_accept_ranges_and_a_long_private_cache(video, client):
    response = client.get(f"/media/{video.file.name}")
    assert response.status_code == 200
    assert body(response) == WEBM_BYTES
    assert response["Content-Type"] == "video/webm"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(SIZE)
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert "Content-Range" not in response


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-", 0, SIZE - 1),  # what a video element asks first
        ("bytes=0-99", 0, 99),
        ("bytes=100-199", 100, 199),
        ("bytes=1000-", 1000, SIZE - 1),
        ("bytes=1000-99999", 1000, SIZE - 1),  # a last byte past the end is the end
        ("bytes=-10", SIZE - 10, SIZE - 1),  # a suffix: the last 10 bytes
        ("bytes=-99999", 0, SIZE - 1),  # a suffix longer than the file is the file
    ],
)
def test_one_range_is_a_206_with_its_content_range(video, client, header, first, last):
    response = client.get(f"/media/{video.file.name}", HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response["Content-Length"] == str(last - first + 1)
    assert body(response) == WEBM_BYTES[first : last + 1]


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 9}", "bytes=-0", "bytes=9-3",
                                    "bytes=-", "bytes=a-b", "bytes=1-2-3"])  # fmt: skip
def test_a_range_it_cannot_satisfy_is_a_416_that_names_the_size(video, client, header):
    response = client.get(f"/media/{video.file.name}", HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert response.content == b""


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "items=0-4", ""])
def test_several_ranges_or_another_unit_get_the_whole_file(video, client, header):
    response = client.get(f"/media/{video.file.name}", HTTP_RANGE=header)
    assert response.status_code == 200
    assert body(response) == WEBM_BYTES


def test_if_range_with_another_version_gets_the_whole_file_and_a_matching_one_gets_the_range(video, client):
    url = f"/media/{video.file.name}"
    etag = client.get(url, HTTP_RANGE="bytes=0-1")["ETag"]
    assert client.get(url, HTTP_RANGE="bytes=0-1", HTTP_IF_RANGE='"older"').status_code == 200
    assert client.get(url, HTTP_RANGE="bytes=0-1", HTTP_IF_RANGE=etag).status_code == 206
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_head_answers_the_headers_alone(video, client):
    response = client.head(f"/media/{video.file.name}", HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response.content == b""


def test_only_an_active_demonstrations_file_is_served(video, client):
    url = f"/media/{video.file.name}"
    video.active = False
    video.save()
    assert client.get(url).status_code == 404
    assert client.get("/media/demonstrations/0000.webm").status_code == 404
    assert client.get("/media/../settings.py").status_code == 404
    assert client.post(url).status_code == 405


def test_byte_range_of_an_empty_file_is_unsatisfiable_and_without_a_header_is_the_whole():
    assert byte_range("", 0) is None
    with pytest.raises(Unsatisfiable):
        byte_range("bytes=0-", 0)
    with pytest.raises(Unsatisfiable):
        byte_range("bytes=-5", 0)
