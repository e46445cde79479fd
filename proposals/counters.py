"""Small counters and flags in the cache, one network round trip each on Redis.

Signing counts signatures per network and e-mail domain (burst alerts). On Redis the counters
are sent as one pipeline; with the local-memory cache (one process) the plain cache API is used.
Values are stored the way Django's Redis cache stores integers, so ``cache.get`` reads them.
"""

from django.core.cache import cache


def _redis():
    """The raw Redis client behind Django's cache, or ``None`` for another backend."""
    from django.core.cache.backends.redis import RedisCache

    if isinstance(cache, RedisCache):
        return cache._cache.get_client(write=True)  # Django's own client, same pool
    return None


def incr_many(keys: list[str], ttl: int) -> list[int]:
    """Increment counters that start at 0 and expire ``ttl`` seconds after their creation."""
    client = _redis()
    if client is not None:
        pipe = client.pipeline(transaction=False)
        for key in keys:
            full = cache.make_and_validate_key(key)
            pipe.set(full, 0, ex=ttl, nx=True)
            pipe.incr(full)
        return pipe.execute()[1::2]
    values = []
    for key in keys:
        cache.add(key, 0, ttl)
        try:
            values.append(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, ttl)
            values.append(1)
    return values
