"""Counters and claims in the cache, sent to Redis as one command.

Signing is the busiest write of the site, and each cache call through Django's cache API costs
a round trip. The signing path therefore batches its cache work: the rate-limit counters
before the INSERT, the burst counters and the recount claim after it, each as one call of a
small Lua script (one command to encode and send instead of up to six; Redis runs a script
atomically). With the local-memory cache (the embedded single-process set-up) the plain cache
API is used instead. Values are stored the way Django's Redis cache stores integers, so
``cache.get`` reads them.
"""

import time

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from democracy.core.cache import REDIS_ERRORS, redis_failed, redis_is_down

# KEYS: the counters, then the claim key if any, then the key to look for if any.
# ARGV: number of counters, 1/0 claim given, 1/0 key to look for given, then each counter's
# time to live, then the claim's. Returns the counter values, then 1/0 for the claim, then
# 1/0 for the key looked for.
_SCRIPT = """
local n = tonumber(ARGV[1])
local out = {}
for i = 1, n do
  redis.call('SET', KEYS[i], 0, 'EX', ARGV[3 + i], 'NX')
  out[i] = redis.call('INCR', KEYS[i])
end
local k = n
if ARGV[2] == '1' then
  k = k + 1
  out[k] = redis.call('SET', KEYS[k], 1, 'EX', ARGV[4 + n], 'NX') and 1 or 0
end
if ARGV[3] == '1' then
  out[#out + 1] = redis.call('EXISTS', KEYS[k + 1])
end
return out
"""
_script = None  # redis-py Script: EVALSHA, loading the script on a server that lacks it


def _redis():
    """The raw Redis client behind Django's cache, or ``None`` for another backend."""

    # ``cache`` is a proxy object; the backend itself is ``caches["default"]``.
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # Django's own client and pool; its RedisCache has no public accessor for them.
        return backend._cache.get_client(write=True)  # noqa: SLF001
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
    if client is not None and not redis_is_down():
        global _script
        if _script is None:
            _script = client.register_script(_SCRIPT)
        keys = [cache.make_and_validate_key(key) for key, _ttl in counters]
        args = [len(counters), int(claim is not None), int(present is not None)]
        args += [ttl for _key, ttl in counters]
        if claim is not None:
            keys.append(cache.make_and_validate_key(claim[0]))
            args.append(claim[1])
        if present is not None:
            keys.append(cache.make_and_validate_key(present))
        try:
            results = _script(keys=keys, args=args, client=client)
        except REDIS_ERRORS as error:
            # Without Redis the plain cache API below counts in the per-process fallback.
            redis_failed(error)
        else:
            values = results[: len(counters)]
            rest = results[len(counters) :]
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
