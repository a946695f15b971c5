"""Listeners coming and going: presence, status, capacity, and the grace period after a drop.

A listener whose last socket closes keeps their conversations for ``LISTENER_GRACE_S``; after that
every active conversation goes back to the front of the queue with its transcript.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from redis.asyncio import Redis

from matching.keys import KEYS
from matching.presence import ListenerPresence, ListenerProfile
from matching.queue import now_ms
from server.assignments import Assignments
from server.errors import conflict
from server.notify import Notifier
from server.sessions import Actor
from server.store import conversations, users

log = logging.getLogger(__name__)


class ListenerService:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        redis: Redis,
        presence: ListenerPresence,
        assignments: Assignments,
        notifier: Notifier,
        grace_s: float,
    ) -> None:
        self._pool = pool
        self._redis = redis
        self._presence = presence
        self._assignments = assignments
        self._notify = notifier
        self._grace_ms = int(grace_s * 1000)

    async def connected(self, actor: Actor) -> None:
        profile = ListenerProfile(
            actor.id, actor.display_name or "", "away", actor.max_chats, actor.topics, actor.languages
        )
        current = await self._presence.connected(profile)
        async with self._pool.acquire() as conn:
            load = len(await conversations.active_for_listener(conn, actor.id))
        if load != await self._presence.load(actor.id):
            await self._presence.set_load(actor.id, load)
        if current.status == "available":
            await self._assignments.pair_waiting(listener_id=actor.id)

    async def disconnected(self, actor: Actor) -> None:
        left = await self._presence.disconnected(actor.id)
        if left == 0:
            await self._redis.zadd(KEYS.listener_grace(), {actor.id: now_ms() + self._grace_ms})

    async def set_status(self, actor: Actor, status: str, max_chats: int | None) -> dict[str, Any]:
        if max_chats is not None and max_chats != actor.max_chats:
            async with self._pool.acquire() as conn:
                await users.set_max_chats(conn, actor.id, max_chats)
            actor.max_chats = max_chats
        updated = await self._presence.set_status(actor.id, status, max_chats)
        if updated is None:
            raise conflict("reconnect first")
        if status == "available":
            await self._assignments.pair_waiting(listener_id=actor.id)
        return {"status": updated.status, "max_chats": updated.max_chats}

    async def expire_grace(self) -> int:
        """Requeue the conversations of listeners who did not come back in time (leader job)."""
        due = await self._redis.zrangebyscore(KEYS.listener_grace(), 0, now_ms())
        handled = 0
        for listener_id in due:
            if not await self._redis.zrem(KEYS.listener_grace(), listener_id):
                continue  # another leader term took it
            if int(await self._redis.hget(KEYS.sockets, listener_id) or 0) > 0:
                continue  # came back
            async with self._pool.acquire() as conn:
                active = await conversations.active_for_listener(conn, listener_id)
            await self._presence.remove(listener_id)
            for conv in active:
                requeued = await self._assignments.requeue(conv, reason="connecting you with someone else")
                if requeued is not None:
                    await self._notify.listener(
                        listener_id,
                        "released",
                        {"conversation_id": conv.id, "by": "system", "reason": "listener_disconnected"},
                    )
            handled += 1
            log.info("listener grace expired listener=%s requeued=%d", listener_id, len(active))
        return handled
