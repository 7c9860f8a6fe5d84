"""Requests the live server is answering now (a middleware of the test settings only).

A browser test's page may have asked something just before the test ended; the live server thread answers it
after the test, and its queries hold table locks. The flush that empties the test database after the test
(TRUNCATE) then deadlocks with it. The browser tests' teardown waits until nothing is being answered."""

import threading

_lock = threading.Lock()
_answering = 0


def _done():
    global _answering
    with _lock:
        _answering -= 1


def _streamed(content):
    try:
        yield from content
    finally:
        _done()  # a streamed answer (an export) queries as it streams: done only once it has


def middleware(get_response):
    def counted(request):
        global _answering
        with _lock:
            _answering += 1
        try:
            response = get_response(request)
        except BaseException:
            _done()
            raise
        if response.streaming:
            response.streaming_content = _streamed(response.streaming_content)
        else:
            _done()
        return response

    return counted


def answering() -> int:
    return _answering
