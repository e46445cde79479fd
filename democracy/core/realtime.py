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
    layer = get_channel_layer()
    if layer is None:
        return False

    def send():
        async_to_sync(layer.group_send)(group, message)

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
        return True
    except Exception:
        logger.exception("Could not send %s to group %s", message.get("type"), group)
        return False
