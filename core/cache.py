"""The shared cache on Redis, degrading instead of failing when Redis is gone (a restart, a failover).

What the cache holds here can be lost: the write limits' counts (core/throttling.py, DRF's throttles) and
the dashboard's figures. A request must not fail because a count could not be read: while Redis is
unreachable a read answers "nothing cached", a write is dropped, each logged (without keys, which may
name a user), and the request goes on. The write limits are off for that while; sign-in lockouts are kept
in the database (django-axes) and stay on. Timeouts are short so a request never hangs on a dead host.
"""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _degrading(name: str, fallback):
    method = getattr(RedisCache, name)

    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE:
            log.warning("cache unreachable: %s skipped", name)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    wrapper.__name__ = name
    return wrapper


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        options.setdefault("retry_on_timeout", False)
        super().__init__(server, params)

    get = _degrading("get", lambda key, default=None, version=None: default)
    get_many = _degrading("get_many", {})
    has_key = _degrading("has_key", False)
    set = _degrading("set", None)
    set_many = _degrading("set_many", [])
    add = _degrading("add", False)
    touch = _degrading("touch", False)
    delete = _degrading("delete", False)
    delete_many = _degrading("delete_many", None)
    clear = _degrading("clear", False)
    incr = _degrading("incr", lambda key, delta=1, version=None: delta)
