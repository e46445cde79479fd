"""Django's Redis cache, with one Redis client object per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object for every cache
call. Building one sets up its table of about 170 response callbacks, which cost more CPU
than the round trip itself on the busiest requests (a signature made three of them). The
client object holds no connection of its own and is safe to share, so one per pool is kept.
"""

import logging
import time

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

logger = logging.getLogger(__name__)


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class PooledRedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient


# Without Redis, the cache falls back to a per-process local-memory cache for
# ``FALLBACK_SECONDS`` before Redis is tried again (docs/security.md, "Losing Redis"): rate
# limits then count per process, sessions and accounts are read from the database, and the
# signing and booth paths keep working because the database is the truth.
FALLBACK_SECONDS = 5.0
REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
_down_until = 0.0


def redis_is_down() -> bool:
    """Whether the cache was found unreachable in the last ``FALLBACK_SECONDS`` (this process)."""
    return time.monotonic() < _down_until


def redis_failed(error: Exception) -> None:
    """Note that Redis could not be reached: use the local fallback for a while, say so."""
    global _down_until
    if not redis_is_down():
        logger.warning("Redis unreachable (%s); the cache is local to this process for now.", error)
    _down_until = time.monotonic() + FALLBACK_SECONDS


def _resilient(name):
    def method(self, *args, **kwargs):
        if not redis_is_down():
            try:
                return getattr(super(RedisCache, self), name)(*args, **kwargs)
            except REDIS_ERRORS as error:
                redis_failed(error)
        return getattr(self._local, name)(*args, **kwargs)

    method.__name__ = name
    return method


class RedisCache(PooledRedisCache):
    """Delta's Redis cache: one client per pool (above), and a per-process local-memory
    fallback while Redis cannot be reached, so that losing Redis never turns into a 500."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._local = LocMemCache(
            f"redis-fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)}
        )

    add = _resilient("add")
    get = _resilient("get")
    set = _resilient("set")
    touch = _resilient("touch")
    delete = _resilient("delete")
    get_many = _resilient("get_many")
    has_key = _resilient("has_key")
    incr = _resilient("incr")
    set_many = _resilient("set_many")
    delete_many = _resilient("delete_many")
    clear = _resilient("clear")
