"""Abuse limits: a flood from one socket or one seeker is answered ``rate_limited``, never a crash.

Per-socket event rates are counted in this process (a socket lives on one process); limits that
must hold across processes use Redis storage of the same ``limits`` library.

A limit must never be the reason a person in crisis is turned away: when Redis does not answer, the
shared counters fall back to counters in this process's memory (each process then allows the limit
on its own, so N processes allow up to N times as much), logged once per outage and counted in
``peerline_rate_limit_fallback_total``. Redis is tried again at most every ``PROBE_INTERVAL_S``, so
an outage costs no caller more than one failed attempt a second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import limits
import redis.exceptions
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from server.config import RATE_LIMIT_NAMES
from server.errors import ProtocolError
from server.metrics import RATE_LIMIT_FALLBACKS
from server.runtime.redis_options import redis_options
from server.security.addresses import hashed
from server.security.sessions import Actor

log = logging.getLogger(__name__)

T = TypeVar("T")

PROBE_INTERVAL_S = 1.0
_STORAGE_ERRORS = (StorageError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


@dataclass(frozen=True, slots=True)
class LimitSettings:
    events_per_socket: str = "30/second"
    chat_requests_per_seeker: str = "10/minute"
    chat_requests_per_address: str = "30/minute"
    seeker_sessions_per_address: str = "30/minute"
    logins_per_address: str = "30/minute"
    login_failures_per_username_address: str = "10/minute"
    login_failures_per_username: str = "30/minute"
    connections_per_address: str = "120/minute"


class Limits:
    def __init__(self, settings: LimitSettings | None = None, shared: Storage | None = None) -> None:
        settings = settings or LimitSettings()
        for name in RATE_LIMIT_NAMES:
            limits.parse(getattr(settings, name))  # fail at start-up, not on the first request
        self._shared = MovingWindowRateLimiter(shared or MemoryStorage())
        self._local = MovingWindowRateLimiter(MemoryStorage())
        self._degraded_until: float | None = None  # set while Redis is away: until when to skip it
        self._per_socket = limits.parse(settings.events_per_socket)
        self._chat_requests = limits.parse(settings.chat_requests_per_seeker)
        self._chat_requests_address = limits.parse(settings.chat_requests_per_address)
        self._seeker_sessions = limits.parse(settings.seeker_sessions_per_address)
        self._logins_address = limits.parse(settings.logins_per_address)
        self._login_failures_pair = limits.parse(settings.login_failures_per_username_address)
        self._login_failures_user = limits.parse(settings.login_failures_per_username)
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

    async def _hit(self, item: limits.RateLimitItem, name: str, key: str) -> bool:
        """One hit on a shared counter (False: over the limit)."""
        return await self._use(name, lambda limiter: limiter.hit(item, name, key))

    async def _used(self, item: limits.RateLimitItem, name: str, key: str) -> int:
        """How many hits a counter holds in its current window."""
        stats = await self._use(name, lambda limiter: limiter.get_window_stats(item, name, key))
        return item.amount - stats.remaining

    async def _use(self, name: str, op: Callable[[MovingWindowRateLimiter], Awaitable[T]]) -> T:
        """``op`` on the shared counters, or on this process's own while Redis does not answer."""
        now = time.monotonic()
        if self._degraded_until is None or now >= self._degraded_until:
            try:
                result = await op(self._shared)
            except _STORAGE_ERRORS as exc:
                if self._degraded_until is None:
                    log.warning(
                        "rate limits: Redis unavailable (%s); counting in this process until it answers",
                        type(exc).__name__,
                    )
                self._degraded_until = now + PROBE_INTERVAL_S
            else:
                if self._degraded_until is not None:
                    log.info("rate limits: Redis answers again; shared counters resumed")
                    self._degraded_until = None
                return result
        RATE_LIMIT_FALLBACKS.labels(name).inc()
        return await op(self._local)

    async def check_chat_request(self, actor: Actor) -> None:
        seeker_ok = await self._hit(self._chat_requests, "chatreq", actor.id)
        address_ok = await self._hit(self._chat_requests_address, "chatreq-addr", actor.address)
        if not (seeker_ok and address_ok):
            raise ProtocolError("rate_limited", "too many chat requests; wait a minute")

    async def check_seeker_session(self, address: str) -> None:
        if not await self._hit(self._seeker_sessions, "seekers", _hashed(address)):
            raise ProtocolError("rate_limited", "too many new sessions from this address")

    async def check_connection(self, address: str) -> bool:
        return await self._hit(self._connections, "connect", _hashed(address))

    async def check_login(self, username: str, address: str) -> None:
        """Before the password is checked. Failures count per username *and* address, so someone
        guessing (or trying to lock an account out) from elsewhere never refuses the owner:

        * every attempt from one address counts (``logins_per_address``);
        * an address with ``login_failures_per_username_address`` recent failures for a username may
          not try that username again until they age out;
        * once a username has ``login_failures_per_username`` recent failures from all addresses
          together (a spread-out guesser), only addresses with no recent failure for it may try:
          the owner still can, and every other address gets one guess per window.
        """
        if not await self._hit(self._logins_address, "login-addr", _hashed(address)):
            raise ProtocolError("rate_limited", "too many login attempts from this address; wait a minute")
        failures_here = await self._used(self._login_failures_pair, "login-fail", _pair(username, address))
        if failures_here == 0:
            return
        if failures_here >= self._login_failures_pair.amount or (
            await self._used(self._login_failures_user, "login-fail-user", _hashed(username))
            >= self._login_failures_user.amount
        ):
            raise ProtocolError("rate_limited", "too many failed logins; wait a minute")

    async def login_failed(self, username: str, address: str) -> None:
        """A wrong username or password, counted for the username from this address and overall."""
        await self._hit(self._login_failures_pair, "login-fail", _pair(username, address))
        await self._hit(self._login_failures_user, "login-fail-user", _hashed(username))


def _hashed(value: str) -> str:
    """Addresses and usernames are never kept in the clear, not even in counters (which expire)."""
    return hashed(value)


def _pair(username: str, address: str) -> str:
    return hashed(f"{username}\x00{address}")


def build_limits(overrides: dict[str, str], redis_url: str, max_connections: int) -> Limits:
    """Counters that must hold across processes live in Redis (``limits``' own key prefix), on a
    client with the same retry and timeouts as every other (``server/runtime/redis_options.py``)."""
    settings = LimitSettings(**overrides)
    scheme, _, rest = redis_url.partition("://")
    shared = RedisStorage(
        f"async+{scheme}://{rest}",
        implementation="redispy",
        key_prefix="{pl}:limits",
        wrap_exceptions=True,
        **redis_options(max_connections),
    )
    return Limits(settings, shared)
