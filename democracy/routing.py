"""Every app's websocket routes, collected for ``democracy.asgi``."""

from democracy.core.routing import websocket_urlpatterns as core_websockets
from proposals.routing import websocket_urlpatterns as proposals_websockets

websocket_urlpatterns = [
    *core_websockets,
    *proposals_websockets,
]
