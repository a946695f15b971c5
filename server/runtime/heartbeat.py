"""Per process: confirm this process's live sockets in Redis, and rebuild the index if Redis lost it.

If Redis restarts empty (or is flushed), nothing a user said is lost — it is all in PostgreSQL —
but the queue, presence and loads are. Each process notices the missing ``rebuilt`` marker on
its next beat (the marker is per process), re-registers its own listeners, and re-queues from PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from redis.asyncio import Redis

from matching.keys import KEYS
from matching.presence import HEARTBEAT_S, Seen
from server.domain.assignments import Assignments
from server.domain.groups.service import GroupService
from server.domain.listeners import ListenerService
from server.security.sessions import Sessions
from server.vocabulary import Role

log = logging.getLogger(__name__)

_MARKER_TTL_S = 24 * 3600  # a dead process's marker goes away by itself


class Heartbeat:
    def __init__(
        self,
        *,
        redis: Redis,
        sessions: Sessions,
        seen: dict[str, Seen],
        listeners: ListenerService,
        assignments: Assignments,
        groups: GroupService,
    ) -> None:
        self._redis = redis
        self._sessions = sessions
        self._seen = seen
        self._listeners = listeners
        self._assignments = assignments
        self._groups = groups
        self.healthy = True
        self._marker = KEYS.registered(uuid.uuid4().hex)

    async def run(self) -> None:
        while True:
            try:
                await self.beat()
                self.healthy = True
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.healthy:
                    log.warning("heartbeat failed (Redis unavailable?): %s", type(exc).__name__)
                self.healthy = False
            await asyncio.sleep(HEARTBEAT_S)

    async def beat(self) -> None:
        if not await self._redis.exists(self._marker):
            await self.rebuild()
        for role, ids in self._sessions.ids_by_role().items():
            seen = self._seen.get(role)
            if seen is not None:
                await seen.touch(ids)
        await self._groups.beat()

    async def rebuild(self) -> None:
        """Re-register this process's listeners and queue everyone PostgreSQL says is waiting."""
        for actor in self._sessions.of_role(Role.LISTENER):
            await self._listeners.connected(actor)
        added = await self._assignments.reconcile(min_age_ms=0)
        await self._redis.set(self._marker, "1", ex=_MARKER_TTL_S)
        log.log(
            logging.WARNING if added else logging.INFO,
            "registered this process's listeners; %d waiting conversations re-queued from PostgreSQL",
            added,
        )
        await self._assignments.pair_waiting()
