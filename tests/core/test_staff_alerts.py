import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.urls import reverse

from democracy.core.models import StaffAlert
from democracy.core.roles import Role
from democracy.core.services import staff_alert_raise


@pytest.mark.django_db
def test_alert_is_raised_once_per_dedupe_window():
    first = staff_alert_raise(role=Role.MODERATOR, kind="burst", message="m", dedupe_key="burst:1")
    second = staff_alert_raise(role=Role.MODERATOR, kind="burst", message="m", dedupe_key="burst:1")
    assert first is not None
    assert second is None
    assert StaffAlert.objects.count() == 1


@pytest.mark.django_db
def test_staff_see_and_acknowledge_only_their_roles_alerts(client, make_user):
    staff_alert_raise(role=Role.MODERATOR, kind="burst", message="Many signatures from one address")
    other = staff_alert_raise(role=Role.ELECTION_ADMIN, kind="codes", message="Failed codes")
    moderator = make_user(roles=[Role.MODERATOR], totp=True)
    client.force_login(moderator)
    page = client.get(reverse("core:staff-alerts")).content.decode()
    assert "Many signatures from one address" in page
    assert "Failed codes" not in page
    assert client.post(reverse("core:staff-alert-acknowledge", args=[other.pk])).status_code == 404
    mine = StaffAlert.objects.get(role=Role.MODERATOR)
    response = client.post(reverse("core:staff-alert-acknowledge", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.acknowledged_by == moderator




@pytest.mark.django_db(transaction=True)
def test_websocket_pushes_alerts_to_staff_with_the_role(make_user):
    moderator = make_user(roles=[Role.MODERATOR], totp=True)

    async def scenario():
        from channels.db import database_sync_to_async

        # The consumer itself, with the user the auth middleware would have put in scope.
        from democracy.core.consumers import StaffAlertConsumer

        communicator = WebsocketCommunicator(StaffAlertConsumer.as_asgi(), "/ws/staff/alerts/")
        communicator.scope["user"] = moderator
        connected, _ = await communicator.connect()
        assert connected
        await database_sync_to_async(staff_alert_raise)(
            role=Role.MODERATOR, kind="burst", message="Burst from 192.0.2.0/24"
        )
        event = await communicator.receive_json_from(timeout=2)
        assert event["message"] == "Burst from 192.0.2.0/24"
        await database_sync_to_async(staff_alert_raise)(
            role=Role.ELECTION_ADMIN, kind="codes", message="not for moderators"
        )
        assert await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_websocket_refuses_residents_and_staff_without_totp(make_user):
    from democracy.core.consumers import StaffAlertConsumer

    async def try_connect(user):
        communicator = WebsocketCommunicator(StaffAlertConsumer.as_asgi(), "/ws/staff/alerts/")
        communicator.scope["user"] = user
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert not async_to_sync(try_connect)(make_user())
    assert not async_to_sync(try_connect)(make_user(roles=[Role.MODERATOR], totp=False))
