from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from democracy.core.permissions import has_active_second_factor, user_roles
from democracy.core.services import staff_alert_group


class StaffAlertConsumer(AsyncJsonWebsocketConsumer):
    """Pushes new staff alerts to connected staff, one group per role they hold."""

    async def connect(self):
        user = self.scope.get("user")
        roles = await database_sync_to_async(self._allowed_roles)(user)
        if not roles:
            await self.close()
            return
        self.groups_joined = [staff_alert_group(role) for role in sorted(roles)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def staff_alert(self, event):
        await self.send_json(
            {
                "id": event["id"],
                "kind": event["kind"],
                "message": event["message"],
                "created_at": event["created_at"],
            }
        )

    @staticmethod
    def _allowed_roles(user) -> set[str]:
        if user is None or not user.is_authenticated:
            return set()
        if not has_active_second_factor(user):
            return set()
        return user_roles(user)
