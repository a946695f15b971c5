"""Listener presence: who is connected, available or away, with what capacity, topics and languages."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from redis.asyncio import Redis

from matching.keys import KEYS, Keys
from matching.queue import now_ms
from matching.scripts import register

STATUSES = ("available", "away")


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
    sockets: int


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
        self._release = register(redis, "release")

    async def connected(self, profile: ListenerProfile) -> ListenerProfile:
        """A socket of this listener connected; keeps an earlier status (a reconnect resumes as it was)."""
        k = self._keys
        existing = await self._redis.hget(k.listeners, profile.listener_id)
        status = _decode(profile.listener_id, existing).status if existing else "away"
        current = ListenerProfile(
            profile.listener_id,
            profile.display_name,
            status,
            profile.max_chats,
            profile.topics,
            profile.languages,
        )
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(k.listeners, profile.listener_id, _encode(current))
            pipe.hincrby(k.sockets, profile.listener_id, 1)
            pipe.hsetnx(k.load, profile.listener_id, 0)
            pipe.hsetnx(k.idle, profile.listener_id, now_ms())
            pipe.zrem(k.listener_grace(), profile.listener_id)
            await pipe.execute()
        return current

    async def disconnected(self, listener_id: str) -> int:
        """A socket went away; returns how many sockets this listener still has anywhere."""
        left = int(await self._redis.hincrby(self._keys.sockets, listener_id, -1))
        if left < 0:
            await self._redis.hset(self._keys.sockets, listener_id, 0)
            left = 0
        if left == 0:
            # Gone from every process: keep the status for a reconnect, but pair nobody with them.
            raw = await self._redis.hget(self._keys.listeners, listener_id)
            if raw:
                record = orjson.loads(raw)
                record["off"] = 1
                await self._redis.hset(self._keys.listeners, listener_id, orjson.dumps(record))
        return left

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
            pipe.hdel(k.sockets, listener_id)
            pipe.hdel(k.load, listener_id)
            pipe.zrem(k.listener_grace(), listener_id)
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
            pipe.hgetall(k.sockets)
            profiles, loads, sockets = await pipe.execute()
        out = []
        for lid, raw in profiles.items():
            out.append(ListenerState(_decode(lid, raw), int(loads.get(lid, 0)), int(sockets.get(lid, 0))))
        return out


class SupervisorPresence:
    """How many supervisor sockets are live anywhere: with none, crises page someone at once."""

    def __init__(self, redis: Redis, keys: Keys = KEYS) -> None:
        self._redis = redis
        self._keys = keys

    async def connected(self, supervisor_id: str) -> None:
        await self._redis.hincrby(self._keys.supervisors, supervisor_id, 1)

    async def disconnected(self, supervisor_id: str) -> None:
        left = int(await self._redis.hincrby(self._keys.supervisors, supervisor_id, -1))
        if left <= 0:
            await self._redis.hdel(self._keys.supervisors, supervisor_id)

    async def online(self) -> int:
        counts = await self._redis.hvals(self._keys.supervisors)
        return sum(1 for c in counts if int(c) > 0)
