from channels.generic.websocket import AsyncJsonWebsocketConsumer

from proposals.services import count_group

FORWARDED = ("id", "count", "threshold", "status", "updated_at")


class ProposalCountConsumer(AsyncJsonWebsocketConsumer):
    """The live signature count of one proposal; public, so anyone may listen.

    Updates are coalesced by the recount task (at most one per proposal per interval); this
    consumer only joins the proposal's group and forwards them.
    """

    async def connect(self):
        self.group = count_group(int(self.scope["url_route"]["kwargs"]["pk"]))
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def proposal_count(self, event):
        await self.send_json({key: event[key] for key in FORWARDED if key in event})
