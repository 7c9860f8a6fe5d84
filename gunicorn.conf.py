"""Gunicorn settings for every way this project starts web workers (run.sh, docker-compose, bench/)."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))  # a request is never meant to take this long
graceful_timeout = 20
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))  # recycle workers: bounded memory growth
max_requests_jitter = 200  # ... and not all at once
preload_app = True  # import Django once; workers share its pages


def post_fork(server, worker):
    """Objects made by importing the app live forever: keep them out of every garbage collection, so a
    request's collection scans only what the request made (full collections cost 90–130 ms otherwise)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
