"""The Redis channel layer: it keeps waiting for messages past redis-py's default read
timeout, and it works again at once after Redis restarts."""

import asyncio
import os
import shutil
import socket
import subprocess
import time

import pytest
from channels.layers import get_channel_layer


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI's second run)")
def test_an_idle_receive_outlasts_the_blocking_pop():
    """channels-redis polls with a 5 s BZPOPMIN; redis-py 8's 5 s socket timeout cut it off,
    which closed every live-count websocket with 1011 after about 6 s."""

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        with pytest.raises(asyncio.TimeoutError):
            # Nothing is sent: only our own deadline may end the wait, not a Redis error.
            await asyncio.wait_for(layer.receive(channel), timeout=7)
        await layer.send(channel, {"type": "ping"})
        assert (await asyncio.wait_for(layer.receive(channel), timeout=2))["type"] == "ping"
        await layer.flush()

    asyncio.run(scenario())


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_the_layer_works_again_at_once_after_redis_restarts():
    """After a Redis restart the pooled connections are dead: without retries the first
    command on each failed, and a websocket connecting then got HTTP 500 (issue 13). A private
    redis-server on port 6392 is killed and started again under one event loop, as in daphne."""
    from channels_redis.core import RedisChannelLayer

    from democracy.redis_hosts import channel_layer_host

    port = 6392

    def start():
        process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return process
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    async def scenario(process):
        layer = RedisChannelLayer(hosts=[channel_layer_host(f"redis://127.0.0.1:{port}/0")])
        first = await layer.new_channel()
        await layer.group_add("proposal-1", first)
        process.kill()
        process.wait()
        process = start()
        try:
            again = await layer.new_channel()
            await layer.group_add("proposal-1", again)  # a websocket connecting
            await layer.group_send("proposal-1", {"type": "proposal.count", "count": 2})
            message = await asyncio.wait_for(layer.receive(again), timeout=3)
            assert message == {"type": "proposal.count", "count": 2}
        finally:
            process.kill()
            process.wait()

    asyncio.run(scenario(start()))
