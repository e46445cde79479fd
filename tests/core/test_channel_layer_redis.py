"""The Redis channel layer keeps waiting for messages past redis-py's default read timeout."""

import asyncio
import os

import pytest
from channels.layers import get_channel_layer

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (CI's second run)"
)


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
