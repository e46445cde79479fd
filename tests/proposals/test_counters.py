"""The signing path's cache counters: batched into one Redis round trip where Redis is the
cache, plain cache calls otherwise; the same values either way."""

import pytest
from django.conf import settings
from django.core.cache import cache

from proposals import counters

uses_redis = "redis" in settings.CACHES["default"]["BACKEND"].lower()


@pytest.mark.skipif(not uses_redis, reason="the pipeline is used when the cache is Redis")
def test_redis_cache_gets_the_pipelined_path():
    assert counters._redis() is not None


@pytest.mark.skipif(uses_redis, reason="the fallback is used for other caches")
def test_other_caches_get_the_plain_path():
    assert counters._redis() is None


def test_counters_claims_and_presence():
    values, claimed, present = counters.incr_and_claim(
        [("t:a", 60), ("t:b", 60)], claim=("t:claim", 60), present="t:absent"
    )
    assert (values, claimed, present) == ([1, 1], True, False)
    values, claimed, present = counters.incr_and_claim(
        [("t:a", 60)], claim=("t:claim", 60), present="t:a"
    )
    assert (values, claimed, present) == ([2], False, True)
    # Stored the way Django's cache stores integers: readable with the cache API.
    assert cache.get("t:a") == 2
