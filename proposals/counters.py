"""Counters and claims in the cache, sent to Redis in one round trip.

Signing is the busiest write of the site, and each cache call through Django's cache API costs
a round trip (and a new client object). The signing path therefore batches its cache work:
the rate-limit counters before the INSERT, the burst counters and the recount claim after it,
each as one pipeline. With the local-memory cache (the embedded single-process set-up) the
plain cache API is used instead. Values are stored the way Django's Redis cache stores
integers, so ``cache.get`` reads them.
"""

import time

from django.core.cache import cache, caches


def _redis():
    """The raw Redis client behind Django's cache, or ``None`` for another backend."""
    from django.core.cache.backends.redis import RedisCache

    # ``cache`` is a proxy object; the backend itself is ``caches["default"]``.
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True)  # Django's own client and pool
    return None


def incr_and_claim(
    counters: list[tuple[str, int]],
    claim: tuple[str, int] | None = None,
    present: str | None = None,
) -> tuple[list[int], bool, bool]:
    """Increment each ``(key, ttl)`` counter (created at 0, expiring ``ttl`` seconds after it
    was created); if given, take the ``(key, ttl)`` claim if nobody holds it, and see whether
    the ``present`` key exists.

    Returns the new counter values, whether the claim was taken and whether ``present`` exists.
    """
    client = _redis()
    if client is not None:
        pipe = client.pipeline(transaction=False)
        for key, ttl in counters:
            full = cache.make_and_validate_key(key)
            pipe.set(full, 0, ex=ttl, nx=True)
            pipe.incr(full)
        if claim is not None:
            pipe.set(cache.make_and_validate_key(claim[0]), 1, ex=claim[1], nx=True)
        if present is not None:
            pipe.exists(cache.make_and_validate_key(present))
        results = pipe.execute()
        values = results[1 : 2 * len(counters) : 2]
        rest = results[2 * len(counters) :]
        claimed = bool(rest.pop(0)) if claim is not None else False
        exists = bool(rest.pop(0)) if present is not None else False
        return values, claimed, exists
    values = []
    for key, ttl in counters:
        cache.add(key, 0, ttl)
        try:
            values.append(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, ttl)
            values.append(1)
    claimed = cache.add(claim[0], 1, claim[1]) if claim is not None else False
    exists = cache.get(present) is not None if present is not None else False
    return values, claimed, exists


PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"30/m"`` → (30, 60); also ``"100/5m"`` (django-ratelimit's syntax)."""
    count, _slash, period = rate.partition("/")
    unit = period[-1]
    multiple = int(period[:-1] or 1)
    return int(count), multiple * PERIODS[unit]


def window_key(prefix: str, period: int) -> str:
    """A fixed-window counter key: the same key for every request in one window."""
    return f"{prefix}:{int(time.time() // period)}"
