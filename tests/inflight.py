"""Requests the live server is answering now (a middleware of the test settings only).

A browser test's page may have asked something just before the test ended; the live server thread answers it
after the test, and its queries hold table locks. The flush that empties the test database after the test
(TRUNCATE) then deadlocks with it. The browser tests' teardown waits until nothing is being answered."""

import threading

_lock = threading.Lock()
_answering = 0


def middleware(get_response):
    def counted(request):
        global _answering
        with _lock:
            _answering += 1
        try:
            return get_response(request)
        finally:
            with _lock:
                _answering -= 1

    return counted


def answering() -> int:
    return _answering
