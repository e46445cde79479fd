"""The live count's relay: one channel-layer subscription per proposal per server process,
whatever the number of sockets (the websocket fan-out, issue 11 item 6)."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from proposals.consumers import CountRelay
from proposals.models import Proposal
from proposals.services import count_group

pytestmark = pytest.mark.django_db(transaction=True)

HEADERS = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


async def members(group: str) -> list[str]:
    """The channels in ``group``, from the in-memory or the Redis layer."""
    layer = get_channel_layer()
    if hasattr(layer, "groups"):  # InMemoryChannelLayer
        return sorted(layer.groups.get(group, {}))
    connection = layer.connection(layer.consistent_hash(group))
    return sorted(c.decode() for c in await connection.zrange(layer._group_key(group), 0, -1))


async def open_socket(pk):
    from democracy.asgi import application

    communicator = WebsocketCommunicator(application, f"/ws/proposals/{pk}/", headers=HEADERS)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


def test_sockets_on_one_proposal_share_one_subscription(make_proposal):
    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    other = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    group = count_group(proposal.pk)

    async def scenario():
        sockets = [await open_socket(proposal.pk) for _ in range(3)]
        elsewhere = await open_socket(other.pk)
        assert len(await members(group)) == 1
        await get_channel_layer().group_send(
            group,
            {"type": "proposal.count", "id": proposal.pk, "count": 7, "threshold": 10,
             "status": "published", "updated_at": "2026-12-02T03:00:00+00:00",
             "updated_ts": 1.0},
        )
        for socket in sockets:
            assert await socket.receive_json_from(timeout=3) == {
                "id": proposal.pk,
                "count": 7,
                "threshold": 10,
                "status": "published",
                "updated_at": "2026-12-02T03:00:00+00:00",
            }
        assert await elsewhere.receive_nothing(timeout=0.3)
        for socket in sockets[:2]:
            await socket.disconnect()
        assert len(await members(group)) == 1  # the third still listens
        await sockets[2].disconnect()
        await elsewhere.disconnect()
        # The last socket gone, the process has left the group.
        assert await members(group) == []
        assert await members(count_group(other.pk)) == []
        assert not [key for key in CountRelay.relays if key[2] in (group, count_group(other.pk))]

    async_to_sync(scenario)()


def test_a_failed_relay_closes_its_sockets_so_pages_fall_back_to_polling(
    make_proposal, monkeypatch
):
    import proposals.consumers

    proposal = make_proposal(Proposal.Status.PUBLISHED, threshold=10)
    group = count_group(proposal.pk)

    class Broken:
        @staticmethod
        def dumps(value):
            raise RuntimeError("stands in for any failure of the relay's loop")

    async def scenario():
        socket = await open_socket(proposal.pk)
        monkeypatch.setattr(proposals.consumers, "json", Broken)
        await get_channel_layer().group_send(
            group, {"type": "proposal.count", "id": proposal.pk, "count": 1}
        )
        assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 1011}
        await socket.wait()
        assert await members(group) == []  # the failed relay left the group
        monkeypatch.undo()
        # A new socket gets a new relay.
        again = await open_socket(proposal.pk)
        await get_channel_layer().group_send(
            group, {"type": "proposal.count", "id": proposal.pk, "count": 2}
        )
        assert await again.receive_json_from(timeout=3) == {"id": proposal.pk, "count": 2}
        await again.disconnect()

    async_to_sync(scenario)()
