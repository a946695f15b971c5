"""Listeners coming and going: presence, status, capacity, and the grace period after a drop.

A listener whose last socket closes keeps their conversations for ``LISTENER_GRACE_S``
(``server.domain.absence``).
"""

from __future__ import annotations

import asyncpg

from matching.presence import ListenerPresence, ListenerProfile
from server.domain.assignments import Assignments
from server.domain.results import ListenerState
from server.errors import conflict
from server.security.sessions import Actor
from server.store import conversations, users
from server.vocabulary import ListenerStatus


class ListenerService:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        presence: ListenerPresence,
        assignments: Assignments,
    ) -> None:
        self._pool = pool
        self._presence = presence
        self._assignments = assignments

    async def connected(self, actor: Actor) -> None:
        profile = ListenerProfile(
            actor.id, actor.display_name or "", actor.status, actor.max_chats, actor.topics, actor.languages
        )
        async with self._pool.acquire() as conn:
            load = len(await conversations.active_for_listener(conn, actor.id))
        current = await self._presence.connected(profile, load=load)
        actor.status = current.status
        if current.status == ListenerStatus.AVAILABLE:
            await self._assignments.pair_waiting(listener_id=actor.id)

    async def disconnected(self, actor: Actor) -> None:
        """The last socket on this process closed: the grace period (``Absence``) starts now."""
        await self._presence.seen.gone(actor.id)

    async def set_status(self, actor: Actor, status: str, max_chats: int | None) -> ListenerState:
        if max_chats is not None and max_chats != actor.max_chats:
            async with self._pool.acquire() as conn:
                await users.set_max_chats(conn, actor.id, max_chats)
            actor.max_chats = max_chats
        updated = await self._presence.set_status(actor.id, status, max_chats)
        if updated is None:
            raise conflict("reconnect first")
        actor.status = updated.status
        if status == ListenerStatus.AVAILABLE:
            await self._assignments.pair_waiting(listener_id=actor.id)
        return ListenerState(updated.status, updated.max_chats)
