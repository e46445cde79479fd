from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from proposals.live import watcher
from proposals.services import count_group

FORWARDED = ("id", "count", "threshold", "status", "updated_at")


def _is_public(pk: int) -> bool:
    from proposals.models import Proposal
    from proposals.selectors import PUBLIC_FILTER

    return Proposal.objects.filter(PUBLIC_FILTER, pk=pk).exists()


class ProposalCountConsumer(AsyncJsonWebsocketConsumer):
    """The live signature count of one public proposal; anyone may listen.

    Updates are coalesced by the counting loop (at most about one per proposal per second);
    this consumer only checks that the proposal is public, joins its group and forwards them.
    Where the channel layer is this process's own memory, it also tells the process's count
    watcher (``proposals.live``) to look for new counts of this proposal.
    """

    async def connect(self):
        pk = int(self.scope["url_route"]["kwargs"]["pk"])
        if not await database_sync_to_async(_is_public)(pk):
            await self.close()
            return
        self.group = count_group(pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        if watcher.enabled():
            self.watched = pk
            watcher.listen(pk)

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if hasattr(self, "watched"):
            watcher.leave(self.watched)

    async def proposal_count(self, event):
        await self.send_json({key: event[key] for key in FORWARDED if key in event})
