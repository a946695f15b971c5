"""When someone's sockets are gone past their grace period (leader job).

A listener who does not come back within ``LISTENER_GRACE_S`` has every active conversation put
back at the front of the queue, transcript kept; a seeker who does not come back within
``SEEKER_GRACE_S`` has their conversation ended as ``seeker_left``. The clocks live in Redis
(``matching.presence.Seen``), so they run on whichever process leads, even after a crash.
"""

from __future__ import annotations

import logging

import asyncpg

from matching.presence import ListenerPresence, Seen
from server.domain.assignments import Assignments
from server.domain.chat import ChatService
from server.domain.notify import Notifier
from server.store import conversations
from server.vocabulary import Sender

log = logging.getLogger(__name__)


class Absence:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        presence: ListenerPresence,
        seekers_seen: Seen,
        assignments: Assignments,
        chat: ChatService,
        notifier: Notifier,
        listener_grace_s: float,
        seeker_grace_s: float,
    ) -> None:
        self._pool = pool
        self._presence = presence
        self._seekers_seen = seekers_seen
        self._assignments = assignments
        self._chat = chat
        self._notify = notifier
        self._listener_grace_ms = int(listener_grace_s * 1000)
        self._seeker_grace_ms = int(seeker_grace_s * 1000)

    async def expire(self) -> None:
        await self.expire_listeners()
        await self.expire_seekers()

    async def expire_listeners(self) -> int:
        handled = 0
        for listener_id in await self._presence.seen.away_longer_than(self._listener_grace_ms):
            async with self._pool.acquire() as conn:
                active = await conversations.active_for_listener(conn, listener_id)
            await self._presence.remove(listener_id)
            for conv in active:
                if await self._assignments.requeue(conv, reason="connecting you with someone else") is not None:
                    await self._notify.listener(
                        listener_id,
                        "released",
                        {"conversation_id": conv.id, "by": Sender.SYSTEM, "reason": "listener_disconnected"},
                    )
            handled += 1
            log.info("listener grace expired listener=%s requeued=%d", listener_id, len(active))
        return handled

    async def expire_seekers(self) -> int:
        handled = 0
        for seeker_id in await self._seekers_seen.away_longer_than(self._seeker_grace_ms):
            async with self._pool.acquire() as conn:
                conv = await conversations.open_for_seeker(conn, seeker_id)
                ended = await conversations.end(conn, conv.id, Sender.SYSTEM, "seeker_left") if conv else None
            await self._seekers_seen.forget(seeker_id)
            if conv is not None and ended is not None:
                await self._chat.after_end(conv, by=Sender.SYSTEM, reason="seeker_left")
                handled += 1
                log.info("seeker grace expired conversation=%s", conv.id)
        return handled
