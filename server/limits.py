"""Abuse limits: a flood from one socket or one seeker is answered ``rate_limited``, never a crash.

Per-socket event rates are counted in this process (a socket lives on one process); limits that
must hold across processes use Redis storage of the same ``limits`` library.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import limits
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from server.addresses import hashed
from server.config import RATE_LIMIT_NAMES
from server.errors import ProtocolError
from server.sessions import Actor


@dataclass(frozen=True, slots=True)
class LimitSettings:
    events_per_socket: str = "30/second"
    chat_requests_per_seeker: str = "10/minute"
    chat_requests_per_address: str = "30/minute"
    seeker_sessions_per_address: str = "30/minute"
    logins_per_username: str = "10/minute"
    logins_per_address: str = "30/minute"
    connections_per_address: str = "120/minute"


class Limits:
    def __init__(self, settings: LimitSettings | None = None, shared: Storage | None = None) -> None:
        settings = settings or LimitSettings()
        for name in RATE_LIMIT_NAMES:
            limits.parse(getattr(settings, name))  # fail at start-up, not on the first request
        self._shared = MovingWindowRateLimiter(shared or MemoryStorage())
        self._per_socket = limits.parse(settings.events_per_socket)
        self._chat_requests = limits.parse(settings.chat_requests_per_seeker)
        self._chat_requests_address = limits.parse(settings.chat_requests_per_address)
        self._seeker_sessions = limits.parse(settings.seeker_sessions_per_address)
        self._logins_user = limits.parse(settings.logins_per_username)
        self._logins_address = limits.parse(settings.logins_per_address)
        self._connections = limits.parse(settings.connections_per_address)

    async def check_event(self, actor: Actor) -> None:
        """A token bucket on the socket itself: a socket lives on one process, so this is exact, and it
        costs two floats instead of a storage sweep on the hot path of every event."""
        rate = self._per_socket.amount / self._per_socket.get_expiry()
        now = time.monotonic()
        bucket = actor.bucket
        tokens = min(float(self._per_socket.amount), bucket[0] + (now - bucket[1]) * rate)
        if tokens < 1.0:
            actor.bucket = (tokens, now)
            raise ProtocolError("rate_limited", "too many events; slow down")
        actor.bucket = (tokens - 1.0, now)

    async def check_chat_request(self, actor: Actor) -> None:
        seeker_ok = await self._shared.hit(self._chat_requests, "chatreq", actor.id)
        address_ok = await self._shared.hit(self._chat_requests_address, "chatreq-addr", actor.address)
        if not (seeker_ok and address_ok):
            raise ProtocolError("rate_limited", "too many chat requests; wait a minute")

    async def check_seeker_session(self, address: str) -> None:
        if not await self._shared.hit(self._seeker_sessions, "seekers", _hashed(address)):
            raise ProtocolError("rate_limited", "too many new sessions from this address")

    async def check_connection(self, address: str) -> bool:
        return await self._shared.hit(self._connections, "connect", _hashed(address))

    async def check_login(self, username: str, address: str) -> None:
        user_ok = await self._shared.hit(self._logins_user, "login-user", _hashed(username))
        address_ok = await self._shared.hit(self._logins_address, "login-addr", _hashed(address))
        if not (user_ok and address_ok):
            raise ProtocolError("rate_limited", "too many login attempts; wait a minute")


def _hashed(value: str) -> str:
    """Addresses and usernames are never kept in the clear, not even in counters (which expire)."""
    return hashed(value)


def build_limits(overrides: dict[str, str], redis_url: str) -> Limits:
    """Counters that must hold across processes live in Redis (``limits``' own key prefix)."""
    settings = LimitSettings(**overrides)
    scheme, _, rest = redis_url.partition("://")
    shared = RedisStorage(f"async+{scheme}://{rest}", implementation="redispy", key_prefix="{pl}:limits")
    return Limits(settings, shared)
