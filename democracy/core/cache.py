"""Django's Redis cache, with one Redis client object per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` object for every cache
call. Building one sets up its table of about 170 response callbacks, which cost more CPU
than the round trip itself on the busiest requests (a signature made three of them). The
client object holds no connection of its own and is safe to share, so one per pool is kept.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


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


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
