"""How Delta's Redis clients connect (read by settings; no Django imports here)."""

from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


def channel_layer_host(url: str) -> dict:
    """The channels-redis host for ``url``.

    - redis-py 8 gives every connection a 5 s socket timeout, and channels-redis waits for
      messages with a blocking BZPOPMIN of 5 s: the read timed out first and closed every
      websocket with 1011 after about 6 s. Reads may now wait past the blocking pop; a dead
      Redis is still noticed within 15 s.
    - After Redis restarts, the pooled connections are dead, and the first command on each
      failed: a websocket connecting then got HTTP 500. A failed command is now retried on a
      new connection (three times, 50 ms to 1 s apart), so the first connect after a restart
      works (tests/core/test_channel_layer_redis.py).
    """
    return {
        "address": url,
        "socket_timeout": 15,
        "socket_connect_timeout": 5,
        "retry": Retry(ExponentialBackoff(cap=1, base=0.05), 3),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
    }
