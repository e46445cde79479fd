import asyncio
import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer

from proposals.live import watcher
from proposals.models import Proposal
from proposals.selectors import PUBLIC_FILTER
from proposals.services import count_group

FORWARDED = ("id", "count", "threshold", "status", "updated_at")

logger = logging.getLogger(__name__)


def _is_public(pk: int) -> bool:

    return Proposal.objects.filter(PUBLIC_FILTER, pk=pk).exists()


class CountRelay:
    """One channel-layer subscription per proposal per server process, shared by every socket
    of that process that shows the proposal's count.

    With a group member per socket, each count reached every socket through the channel
    layer's receive loop and the consumer's dispatch (two tasks, a lock race and a hop through
    the sync thread per socket): with 5,000 sockets on one proposal that was about 1.2 ms of
    daphne's CPU per socket per count, so one count took seconds to reach the last socket
    (docs/performance.md, fan-out). Here the layer delivers one message per process, it is
    encoded once, and written to each socket directly.
    """

    relays: dict[tuple, "CountRelay"] = {}

    def __init__(self, key, layer, group):
        self.key, self.layer, self.group = key, layer, group
        # Every socket joined (for the subscription's lifetime) and the accepted ones (sent to).
        self.members: set[AsyncJsonWebsocketConsumer] = set()
        self.accepted: set[AsyncJsonWebsocketConsumer] = set()
        self.channel = None
        self.task = None
        self.lock = asyncio.Lock()

    @classmethod
    async def join(cls, group: str, consumer) -> "CountRelay":
        """Subscribe before the socket is accepted, so that the first socket of a process does
        not miss the counts published while the subscription was being set up; ``listen``
        once the socket is accepted (a count arriving during the accept itself is not sent to
        it; the next one is)."""
        layer = get_channel_layer()
        key = (asyncio.get_running_loop(), id(layer), group)
        relay = cls.relays.get(key)
        if relay is None:
            relay = cls.relays[key] = cls(key, layer, group)
        relay.members.add(consumer)
        async with relay.lock:
            if relay.channel is None:
                relay.channel = await layer.new_channel()
                relay.task = asyncio.ensure_future(relay.run())
            # Every join renews the membership, which the Redis layer expires after a day.
            await layer.group_add(group, relay.channel)
        return relay

    def listen(self, consumer) -> None:
        if consumer in self.members:
            self.accepted.add(consumer)

    @classmethod
    async def leave(cls, group: str, consumer) -> None:
        key = (asyncio.get_running_loop(), id(get_channel_layer()), group)
        relay = cls.relays.get(key)
        if relay is None:
            return
        relay.members.discard(consumer)
        relay.accepted.discard(consumer)
        if not relay.members:
            await relay.stop()

    async def stop(self) -> None:
        if self.relays.get(self.key) is self:
            del self.relays[self.key]
        if self.task is not None:
            self.task.cancel()
        async with self.lock:
            if self.channel is not None:
                await self.layer.group_discard(self.group, self.channel)

    async def run(self) -> None:
        try:
            while True:
                event = await self.layer.receive(self.channel)
                if event.get("type") != "proposal.count":
                    continue
                message = {
                    "type": "websocket.send",
                    "text": json.dumps({key: event[key] for key in FORWARDED if key in event}),
                }
                for consumer in list(self.accepted):
                    try:
                        # Straight to the server's send: the consumer's send() only wraps it.
                        await consumer.base_send(message)
                    except Exception:  # one broken socket must not stop the others' counts
                        logger.exception("Could not send the count to one socket")
        except asyncio.CancelledError:
            raise
        except Exception:
            # The layer failed (e.g. Redis went away): close the sockets, so that the pages
            # fall back to polling count.json and reconnect later, instead of staying silent.
            logger.exception("The live count of group %s stopped", self.group)
            if self.relays.get(self.key) is self:
                del self.relays[self.key]
            for consumer in list(self.accepted):
                await consumer.close(code=1011)
            try:
                await self.layer.group_discard(self.group, self.channel)
            except Exception:  # the layer may be what failed
                logger.exception("Could not leave group %s", self.group)


class ProposalCountConsumer(AsyncJsonWebsocketConsumer):
    """The live signature count of one public proposal; anyone may listen.

    Updates are coalesced by the counting loop (at most about one per proposal per second);
    this consumer only checks that the proposal is public and joins its process's relay,
    which forwards them. Where the channel layer is this process's own memory, it also tells
    the process's count watcher (``proposals.live``) to look for new counts of this proposal.
    """

    # No channel of its own in the layer: counts come through the relay. With a channel each,
    # 5,000 idle sockets meant 5,000 waiters on the Redis layer's receive lock in one process,
    # and counts reached the relay seconds late (docs/performance.md, fan-out). An alias that
    # names no configured layer gives the consumer none (channels' get_channel_layer).
    channel_layer_alias = "proposals-count-relay-only"

    async def connect(self):
        pk = int(self.scope["url_route"]["kwargs"]["pk"])
        if not await database_sync_to_async(_is_public)(pk):
            await self.close()
            return
        self.group = count_group(pk)
        relay = await CountRelay.join(self.group, self)
        await self.accept()
        relay.listen(self)
        if watcher.enabled():
            self.watched = pk
            watcher.listen(pk)

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await CountRelay.leave(self.group, self)
        if hasattr(self, "watched"):
            watcher.leave(self.watched)
