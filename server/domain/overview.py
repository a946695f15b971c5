"""What supervisors see at a glance: the queue, active chats, listeners and their load, open escalations."""

from __future__ import annotations

import asyncpg

from matching.presence import ListenerPresence
from matching.queue import WaitingQueue, now_ms
from server.domain.notify import Notifier
from server.domain.results import ListenerOnDuty, OverviewSnapshot
from server.store import conversations, escalations


class Overview:
    def __init__(
        self, *, pool: asyncpg.Pool, queue: WaitingQueue, presence: ListenerPresence, notifier: Notifier
    ) -> None:
        self._pool = pool
        self._queue = queue
        self._presence = presence
        self._notify = notifier
        self._last: OverviewSnapshot | None = None

    async def current(self) -> OverviewSnapshot:
        waiting = await self._queue.snapshot()
        at = now_ms()
        listeners = await self._presence.all()
        async with self._pool.acquire() as conn:
            active = await conversations.count_active(conn)
            open_escalations = await escalations.count_unresolved(conn)
        return OverviewSnapshot(
            queue_length=len(waiting),
            longest_wait_s=round(max((w.waited_s(at) for w in waiting), default=0.0)),
            active_conversations=active,
            listeners=tuple(
                ListenerOnDuty(
                    user_id=s.profile.listener_id,
                    display_name=s.profile.display_name,
                    status=s.profile.status if s.online else "offline",
                    load=s.load,
                    max_chats=s.profile.max_chats,
                )
                for s in sorted(listeners, key=lambda s: s.profile.display_name)
            ),
            open_escalations=open_escalations,
        )

    async def publish_if_changed(self) -> bool:
        """Leader job: one emit to all supervisors when anything they see has changed."""
        now = await self.current()
        if now == self._last:
            return False
        self._last = now
        await self._notify.supervisors("overview", now)
        return True
