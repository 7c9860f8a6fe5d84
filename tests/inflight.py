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


def middleware(get_response):
    def counted(request):
        global _answering
        if request.META.get("SERVER_NAME") == "testserver":  # Django's test client: not the live server
            return get_response(request)
        with _lock:
            _answering += 1
        try:
            response = get_response(request)
        except BaseException:
            _done()
            raise
        # done when the server closes the answer (PEP 3333: always, streamed or not, sent whole or not): a
        # streamed answer (an export) still queries while it streams
        response._resource_closers.append(_done)
        return response

    return counted


def answering() -> int:
    return _answering
