from django.urls import path

from proposals import consumers

websocket_urlpatterns = [
    path("ws/proposals/<int:pk>/", consumers.ProposalCountConsumer.as_asgi()),
]
