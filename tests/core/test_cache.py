"""The Redis cache keeps one client object per connection pool (no Redis server needed:
neither the pool nor the client connects before the first command)."""

from democracy.core.cache import RedisCache


def test_one_client_object_per_pool_is_reused():
    cache = RedisCache("redis://127.0.0.1:6379/0", {})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client("some-key", write=True) is client
    assert cache._cache.get_client("some-key") is client  # one server: reads use the same pool
    assert client.connection_pool is cache._cache._get_connection_pool(True)


def test_replica_reads_keep_their_own_client():
    cache = RedisCache(["redis://127.0.0.1:6379/0", "redis://127.0.0.1:6380/0"], {})
    writer = cache._cache.get_client(write=True)
    reader = cache._cache.get_client()
    assert reader is not writer
    assert reader.connection_pool.connection_kwargs["port"] == 6380
    assert cache._cache.get_client() is reader
