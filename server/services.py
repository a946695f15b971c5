"""Everything a request handler may use, built once per process by ``server.app.build_services``.

Its own module so that the edge (HTTP routes, Socket.IO namespaces) depends on this description of
the services, not on the wiring in ``server/app.py`` that imports the edge.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import asyncpg
import socketio
from aiohttp import web
from redis.asyncio import Redis

from matching.presence import ListenerPresence, Seen
from matching.queue import WaitingQueue
from server.config import Settings
from server.domain.alerts import AlertChannel
from server.domain.assignments import Assignments
from server.domain.chat import ChatService
from server.domain.groups.service import GroupService
from server.domain.listeners import ListenerService
from server.domain.notify import Notifier
from server.domain.overview import Overview
from server.domain.supervision import Supervision
from server.runtime.heartbeat import Heartbeat
from server.runtime.jobs import PeriodicJobs
from server.runtime.queue_watch import QueueWatch
from server.runtime.token_watch import TokenWatch
from server.security.auth import TokenIssuer
from server.security.identity import Identity
from server.security.limits import Limits
from server.security.revocation import Revocations
from server.security.sessions import Actor, Sessions
from server.store.pool import ping


@dataclass
class Services:
    settings: Settings
    pool: asyncpg.Pool
    redis: Redis
    sio: socketio.AsyncServer
    tokens: TokenIssuer
    sessions: Sessions
    identity: Identity
    limits: Limits
    revocations: Revocations
    token_watch: TokenWatch
    notifier: Notifier
    queue: WaitingQueue
    presence: ListenerPresence
    seen: dict[str, Seen]
    assignments: Assignments
    alerts: AlertChannel
    chat: ChatService
    listeners: ListenerService
    supervision: Supervision
    overview: Overview
    queue_watch: QueueWatch
    jobs: PeriodicJobs
    heartbeat: Heartbeat
    groups: GroupService
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    draining: bool = False

    def token_revoked(self, actor: Actor) -> bool:
        return actor.token_expires_at <= time.time()

    async def readiness(self) -> list[str]:
        failed = []
        try:
            async with asyncio.timeout(2):
                async with self.pool.acquire() as conn:
                    await ping(conn)
        except Exception:
            failed.append("postgres")
        try:
            async with asyncio.timeout(2):
                await self.redis.ping()
        except Exception:
            failed.append("redis")
        return failed


SERVICES = web.AppKey("services", Services)
