"""Request guards and response headers that every page and API answer share."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse

from .headers import CONTENT_SECURITY_POLICY


class ApiGuardMiddleware:
    """Before anything reads the request: an oversized body or a NUL in the query string of an API call is a
    JSON 400 (Django would answer an HTML page, PostgreSQL a 500). After: the Content-Security-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            refused = self._refusal(request)
            if refused:
                return JsonResponse({"detail": refused}, status=400)
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    @staticmethod
    def _refusal(request) -> str:
        length = request.META.get("CONTENT_LENGTH") or ""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length.isascii() and length.isdigit() and limit and int(length) > limit:
            return f"Request body larger than {limit} bytes."
        for values in request.GET.lists():
            for value in (values[0], *values[1]):
                if "\x00" in value:
                    return "Query parameters may not contain NUL characters."
        return ""
