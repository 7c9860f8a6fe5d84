"""A file answered with HTTP range requests (RFC 9110 §14), as a browser's <video> asks for it: 206 Partial
Content with Content-Range for one range, 416 Range Not Satisfiable (with the size) for a range that is
malformed or starts past the end, the whole file (200) without a Range header or with several ranges (a server
may answer those in full, and media players ask for one). Neither Django's FileResponse nor WhiteNoise (which
serves only the files it found at start) answers ranges of uploaded files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import IO

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

CHUNK = 64 * 1024
_ONE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Unsatisfiable(Exception):
    pass


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte, inclusive, of a Range header; None: send the whole file; Unsatisfiable: 416."""
    header = header.strip()
    if not header or not header.startswith("bytes=") or "," in header:
        return None  # no range, another unit, or several ranges: the whole file
    match = _ONE_RANGE.match(header.replace(" ", ""))
    if match is None or match.groups() == ("", ""):
        raise Unsatisfiable
    first, last = match.groups()
    if first == "":  # a suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or (last != "" and int(last) < start):
        raise Unsatisfiable
    return start, end


def _chunks(file: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        file.seek(start)
        while length > 0:
            chunk = file.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
    finally:
        file.close()


def ranged_file_response(
    request: HttpRequest,
    *,
    open_file: Callable[[], IO[bytes]],
    size: int,
    content_type: str,
    etag: str,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """The file, or the one range of it the request asks for; HEAD answers the headers alone."""
    common = {"Accept-Ranges": "bytes", "ETag": etag, **(headers or {})}
    if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        return HttpResponse(status=304, headers=common)
    range_header = request.headers.get("Range", "")
    if request.headers.get("If-Range", etag).strip() != etag:
        range_header = ""  # the copy the client holds a part of is not this one: send it all
    try:
        wanted = byte_range(range_header, size)
    except Unsatisfiable:
        return HttpResponse(status=416, headers={**common, "Content-Range": f"bytes */{size}"})
    first, last = wanted if wanted else (0, size - 1)
    length = last - first + 1 if size else 0
    status = 206 if wanted else 200
    if wanted:
        common["Content-Range"] = f"bytes {first}-{last}/{size}"
    if request.method == "HEAD" or length == 0:
        response = HttpResponse(status=status, content_type=content_type, headers=common)
    else:
        body = _chunks(open_file(), first, length)
        response = StreamingHttpResponse(body, status=status, content_type=content_type, headers=common)
    response["Content-Length"] = str(length)
    return response
