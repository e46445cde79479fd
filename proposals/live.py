"""Live counts for a web server whose channel layer is its own memory (the embedded default).

With Redis, the worker publishes a new count to the channel layer and every web process gets
it. Without Redis the layer is in-memory: the worker's publish reaches only the worker, and the
open pages would never change. So each web process watches, for the proposals that have
listeners in it, the stored count rows that the worker writes: one query every
``PROPOSALS_COUNT_WATCH_MS`` while at least one page listens, none otherwise, and a
changed row is published to the listeners through the same path the worker uses.
"""

import asyncio
import logging
from collections import Counter

from channels.db import database_sync_to_async
from django.conf import settings

from proposals.services import signature_counts_publish_stored

logger = logging.getLogger(__name__)


class CountWatcher:
    """One per web process: which proposals have listeners here, and the loop that polls."""

    def __init__(self):
        self.listeners: Counter[int] = Counter()
        self.seen: dict[int, float] = {}
        self.task: asyncio.Task | None = None

    @staticmethod
    def enabled() -> bool:
        return settings.PROPOSALS_COUNT_WATCH_MS > 0

    def listen(self, proposal_id: int) -> None:
        self.listeners[proposal_id] += 1
        self.seen.setdefault(proposal_id, 0.0)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    def leave(self, proposal_id: int) -> None:
        self.listeners[proposal_id] -= 1
        if self.listeners[proposal_id] <= 0:
            del self.listeners[proposal_id]
            self.seen.pop(proposal_id, None)

    async def _run(self) -> None:

        while self.listeners:
            await asyncio.sleep(settings.PROPOSALS_COUNT_WATCH_MS / 1000)
            watched = {pk: self.seen.get(pk, 0.0) for pk in self.listeners}
            try:
                published = await database_sync_to_async(signature_counts_publish_stored)(
                    seen=watched
                )
            except Exception:
                # A database that is briefly busy or gone: try again on the next tick; the
                # page's own polling covers the gap.
                logger.exception("Could not read the stored signature counts")
                continue
            for pk, updated in published.items():
                if pk in self.listeners:
                    self.seen[pk] = updated


watcher = CountWatcher()
