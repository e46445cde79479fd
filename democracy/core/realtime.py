"""Sending events to websocket groups from synchronous code (services, tasks).

Services publish after commit through ``group_send``; consumers only forward. The channel
layer may be missing or down: a live push that fails is logged and never fails the caller,
because the change itself is already committed.
"""

import asyncio
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def group_send(group: str, message: dict) -> bool:
    """Send ``message`` (a dict with a dotted ``type``) to ``group``; True if it was sent."""
    return group_send_many([(group, message)]) == 1


def group_send_many(messages: list[tuple[str, dict]]) -> int:
    """Send each ``(group, message)`` pair, all from one event loop run (each
    ``async_to_sync`` call starts and stops a loop, several milliseconds); returns how many
    were sent."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return 0
    sent = 0

    async def send_all():
        nonlocal sent
        for group, message in messages:
            try:
                await layer.group_send(group, message)
            except Exception:
                logger.exception("Could not send %s to group %s", message.get("type"), group)
            else:
                sent += 1

    def send():
        async_to_sync(send_all)()

    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            send()
        else:
            # This thread runs an event loop (a caller inside async code, or a test driving a
            # browser): async_to_sync refuses to block it, so send from a thread of its own.
            errors = []

            def run():
                try:
                    send()
                except Exception as exc:  # re-raised below in the caller's thread
                    errors.append(exc)

            worker = threading.Thread(target=run, name="group-send")
            worker.start()
            worker.join(timeout=10)
            if errors:
                raise errors[0]
    except Exception:
        logger.exception("Could not send %s live messages", len(messages))
    return sent
