from django.urls import path

from democracy.core import consumers

websocket_urlpatterns = [
    path("ws/staff/alerts/", consumers.StaffAlertConsumer.as_asgi()),
]
