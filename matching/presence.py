"""Presence: who has a live socket anywhere, and each listener's status, capacity, topics, languages.

Liveness is a last-seen clock per person (``Seen``) that every process refreshes for its own
sockets on a heartbeat. A process that dies stops refreshing, so its people go stale by
themselves and their grace periods begin — no process has to clean up after another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import cast

import orjson
from redis.asyncio import Redis

from matching.keys import KEYS, Keys
from matching.queue import now_ms
from matching.scripts import register


class ListenerStatus(StrEnum):
    """What a listener chose; ``scripts/pair.lua`` pairs only the ``available`` ones."""

    AVAILABLE = "available"
    AWAY = "away"


HEARTBEAT_S = 2.0
STALE_MS = 7_000  # not confirmed for this long: no live socket anywhere


class Seen:
    """Last-seen clocks for one role (``listener``, ``seeker``, ``supervisor``)."""

    def __init__(self, redis: Redis, role: str, keys: Keys = KEYS) -> None:
        self._redis = redis
        self.key = keys.seen(role)

    async def touch(self, ids: Iterable[str], at_ms: int | None = None) -> None:
        at = at_ms or now_ms()
        mapping = dict.fromkeys(ids, at)
        if mapping:
            await self._redis.zadd(self.key, mapping)

    async def gone(self, person_id: str) -> None:
        """The last socket here closed: offline now, unless another process confirms them again."""
        await self._redis.zadd(self.key, {person_id: now_ms() - STALE_MS}, lt=True)

    async def online_count(self) -> int:
        return int(await self._redis.zcount(self.key, now_ms() - STALE_MS + 1, "+inf"))

    async def away_longer_than(self, grace_ms: int) -> list[str]:
        """People whose grace period after their last socket closed has run out."""
        return cast(list[str], await self._redis.zrangebyscore(self.key, 0, now_ms() - STALE_MS - grace_ms))

    async def forget(self, person_id: str) -> None:
        await self._redis.zrem(self.key, person_id)


@dataclass(frozen=True, slots=True)
class ListenerProfile:
    listener_id: str
    display_name: str
    status: str
    max_chats: int
    topics: tuple[str, ...]
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListenerState:
    profile: ListenerProfile
    load: int
    online: bool


def _encode(p: ListenerProfile) -> bytes:
    return orjson.dumps(
        {
            "st": p.status,
            "max": p.max_chats,
            "topics": list(p.topics),
            "langs": list(p.languages),
            "name": p.display_name,
        }
    )


def _decode(listener_id: str, raw: str | bytes) -> ListenerProfile:
    m = orjson.loads(raw)
    topics = m.get("topics") or []
    langs = m.get("langs") or []
    return ListenerProfile(
        listener_id=listener_id,
        display_name=m.get("name", ""),
        status=m["st"],
        max_chats=int(m["max"]),
        topics=tuple(topics) if isinstance(topics, list) else (),
        languages=tuple(langs) if isinstance(langs, list) else (),
    )


class ListenerPresence:
    def __init__(self, redis: Redis, keys: Keys = KEYS) -> None:
        self._redis = redis
        self._keys = keys
        self.seen = Seen(redis, "listener", keys)
        self._release = register(redis, "release")

    async def connected(self, profile: ListenerProfile, *, load: int) -> ListenerProfile:
        """A socket of this listener connected; an earlier status is kept (a reconnect resumes as it was).

        ``load`` (their active conversations, from PostgreSQL) is written only where Redis has none — a new
        listener, or an index that lost its data — in the same transaction as the profile, so no pairing
        can ever see the profile without its load. An existing load is left alone: a pairing may be in
        flight, and drift is the load reconciler's job."""
        k = self._keys
        existing = await self._redis.hget(k.listeners, profile.listener_id)
        status = _decode(profile.listener_id, existing).status if existing else profile.status
        current = ListenerProfile(
            profile.listener_id, profile.display_name, status, profile.max_chats, profile.topics, profile.languages
        )
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(k.listeners, profile.listener_id, _encode(current))
            pipe.hsetnx(k.load, profile.listener_id, load)
            pipe.hsetnx(k.idle, profile.listener_id, now_ms())
            pipe.zadd(k.seen("listener"), {profile.listener_id: now_ms()})
            await pipe.execute()
        return current

    async def set_status(self, listener_id: str, status: str, max_chats: int | None) -> ListenerProfile | None:
        k = self._keys
        raw = await self._redis.hget(k.listeners, listener_id)
        if raw is None:
            return None
        p = _decode(listener_id, raw)
        updated = ListenerProfile(
            listener_id,
            p.display_name,
            status,
            max_chats if max_chats is not None else p.max_chats,
            p.topics,
            p.languages,
        )
        await self._redis.hset(k.listeners, listener_id, _encode(updated))
        await self._redis.incr(k.queue_version)
        return updated

    async def remove(self, listener_id: str) -> None:
        """Forget a listener who left for good (grace expired); their load is re-derived on return."""
        k = self._keys
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hdel(k.listeners, listener_id)
            pipe.hdel(k.load, listener_id)
            pipe.zrem(k.seen("listener"), listener_id)
            await pipe.execute()

    async def get(self, listener_id: str) -> ListenerProfile | None:
        raw = await self._redis.hget(self._keys.listeners, listener_id)
        return _decode(listener_id, raw) if raw else None

    async def load(self, listener_id: str) -> int:
        return int(await self._redis.hget(self._keys.load, listener_id) or 0)

    async def set_load(self, listener_id: str, load: int) -> None:
        await self._redis.hset(self._keys.load, listener_id, load)

    async def release(self, listener_id: str) -> int:
        """One conversation fewer for this listener; returns the new load."""
        k = self._keys
        return int(await self._release(keys=[k.load, k.idle], args=[listener_id, now_ms()]))

    async def all(self) -> list[ListenerState]:
        k = self._keys
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(k.listeners)
            pipe.hgetall(k.load)
            pipe.zrangebyscore(k.seen("listener"), now_ms() - STALE_MS + 1, "+inf")
            profiles, loads, online = await pipe.execute()
        online_ids = set(online)
        return [
            ListenerState(_decode(lid, raw), int(loads.get(lid, 0)), lid in online_ids) for lid, raw in profiles.items()
        ]
