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


def test_counters_alone_count_per_key_and_expire():
    values, claimed, present = counters.incr_and_claim([("t:x", 60), ("t:y", 120)])
    assert (values, claimed, present) == ([1, 1], False, False)
    values, _claimed, _present = counters.incr_and_claim([("t:x", 60), ("t:y", 120)])
    assert values == [2, 2]


@pytest.mark.skipif(not uses_redis, reason="scripts exist on Redis only")
def test_a_server_without_the_script_gets_it_loaded():
    client = counters._redis()
    client.script_flush()
    values, _claimed, _present = counters.incr_and_claim([("t:flushed", 60)])
    assert values == [1]
    full = cache.make_and_validate_key("t:flushed")
    assert 0 < client.ttl(full) <= 60
