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
from server.alerts import AlertChannel
from server.assignments import Assignments
from server.auth import TokenIssuer
from server.chat import ChatService
from server.config import Settings
from server.heartbeat import Heartbeat
from server.identity import Identity
from server.jobs import PeriodicJobs
from server.limits import Limits
from server.listeners import ListenerService
from server.notify import Notifier
from server.overview import Overview
from server.queue_watch import QueueWatch
from server.revocation import Revocations
from server.sessions import Actor, Sessions
from server.store.pool import ping
from server.supervision import Supervision
from server.token_watch import TokenWatch


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
