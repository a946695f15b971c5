"""Per process: live sockets whose token expired or was revoked, or whose account was deactivated,
are disconnected — a revoked staff token must not keep reading conversations."""

from __future__ import annotations

import asyncio
import logging
import time

import asyncpg
import socketio

from server.domain.notify import LISTENER_NS, SEEKER_NS, SUPERVISOR_NS
from server.security.revocation import Revocations
from server.security.sessions import Actor, Sessions
from server.store import users
from server.vocabulary import Role

log = logging.getLogger(__name__)

_NAMESPACE: dict[str, str] = {
    Role.SEEKER: SEEKER_NS,
    Role.LISTENER: LISTENER_NS,
    Role.SUPERVISOR: SUPERVISOR_NS,
    Role.ADMIN: SUPERVISOR_NS,
}


class TokenWatch:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        sessions: Sessions,
        revocations: Revocations,
        sio: socketio.AsyncServer,
        interval_s: float,
    ) -> None:
        self._pool = pool
        self._sessions = sessions
        self._revocations = revocations
        self._sio = sio
        self._interval_s = interval_s

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("token sweep failed: %s", type(exc).__name__)

    async def sweep(self) -> int:
        actors = self._sessions.everyone()  # every namespace's sockets, /groups included
        now = time.time()
        staff_ids = list({a.id for a in actors if a.is_staff})
        active: set[str] = set()
        if staff_ids:
            async with self._pool.acquire() as conn:
                active = await users.active_among(conn, staff_ids)
        dropped = 0
        for actor in actors:
            if await self._should_drop(actor, now, active):
                await self._sio.disconnect(actor.sid, namespace=actor.namespace or _NAMESPACE[actor.role])
                dropped += 1
        if dropped:
            log.info("disconnected %d sockets with expired or revoked tokens", dropped)
        return dropped

    async def _should_drop(self, actor: Actor, now: float, active_staff: set[str]) -> bool:
        if actor.token_expires_at <= now:
            return True
        if actor.is_staff and actor.id not in active_staff:
            return True
        return await self._revocations.is_revoked(actor.token_id)
