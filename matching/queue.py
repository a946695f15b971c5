"""The waiting queue: conversations waiting for a listener, ordered by ``priority.score``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import cast

import orjson
from redis.asyncio import Redis

from escalation.vocabulary import severity_rank
from matching.keys import KEYS, Keys
from matching.priority import score


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True, slots=True)
class Waiting:
    conversation_id: str
    seeker_id: str
    topic: str
    language: str
    severity: str
    queued_at_ms: int
    requeued: bool = False

    def waited_s(self, at_ms: int | None = None) -> float:
        return max(0.0, ((at_ms or now_ms()) - self.queued_at_ms) / 1000)


def _encode(w: Waiting) -> bytes:
    return orjson.dumps(
        {
            "topic": w.topic,
            "lang": w.language,
            "t": w.queued_at_ms,
            "sev": w.severity,
            "sk": w.seeker_id,
            "rq": 1 if w.requeued else 0,
        }
    )


def _decode(conversation_id: str, raw: bytes | str) -> Waiting:
    m = orjson.loads(raw)
    return Waiting(
        conversation_id=conversation_id,
        seeker_id=m["sk"],
        topic=m["topic"],
        language=m["lang"],
        severity=m["sev"],
        queued_at_ms=int(m["t"]),
        requeued=bool(m.get("rq")),
    )


class WaitingQueue:
    def __init__(self, redis: Redis, keys: Keys = KEYS) -> None:
        self._redis = redis
        self._keys = keys

    async def add(self, waiting: Waiting) -> bool:
        """Queue (or re-queue) a conversation; atomic, so the index never shows half an entry."""
        k = self._keys
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(k.queue_meta, waiting.conversation_id, _encode(waiting))
            pipe.zadd(
                k.queue,
                {waiting.conversation_id: score(waiting.severity, waiting.queued_at_ms, requeued=waiting.requeued)},
            )
            pipe.incr(k.queue_version)
            await pipe.execute()
        return True

    async def remove(self, conversation_id: str) -> bool:
        k = self._keys
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrem(k.queue, conversation_id)
            pipe.hdel(k.queue_meta, conversation_id)
            pipe.incr(k.queue_version)
            removed, _, _ = await pipe.execute()
        return bool(removed)

    async def get(self, conversation_id: str) -> Waiting | None:
        raw = await self._redis.hget(self._keys.queue_meta, conversation_id)
        return _decode(conversation_id, raw) if raw else None

    async def raise_severity(self, conversation_id: str, severity: str) -> bool:
        """Move a waiting conversation up when its seeker's words show risk; False if not queued."""
        current = await self.get(conversation_id)
        if current is None:
            return False
        if severity_rank(severity) <= severity_rank(current.severity):
            return True
        updated = Waiting(
            current.conversation_id,
            current.seeker_id,
            current.topic,
            current.language,
            severity,
            current.queued_at_ms,
            current.requeued,
        )
        k = self._keys
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(k.queue_meta, conversation_id, _encode(updated))
            pipe.zadd(
                k.queue,
                {conversation_id: score(severity, updated.queued_at_ms, requeued=updated.requeued)},
                xx=True,
            )
            pipe.incr(k.queue_version)
            await pipe.execute()
        return True

    async def ids(self) -> set[str]:
        """Every conversation with a queue entry, in one round trip."""
        return set(cast(list[str], await self._redis.hkeys(self._keys.queue_meta)))

    async def contains(self, conversation_id: str) -> bool:
        return await self._redis.zscore(self._keys.queue, conversation_id) is not None

    async def position(self, conversation_id: str) -> int | None:
        """1 = next in line; None when not queued."""
        rank = cast(int | None, await self._redis.zrank(self._keys.queue, conversation_id))
        return None if rank is None else rank + 1

    async def version(self) -> int:
        return int(await self._redis.get(self._keys.queue_version) or 0)

    async def snapshot(self, limit: int = 10_000) -> list[Waiting]:
        """Everyone waiting, in the order they will be served."""
        k = self._keys
        ids = cast(list[str | bytes], await self._redis.zrange(k.queue, 0, limit - 1))
        if not ids:
            return []
        metas: list[str | bytes | None] = await self._redis.hmget(k.queue_meta, ids)
        out = []
        for cid, raw in zip(ids, metas, strict=True):
            if raw:
                out.append(_decode(cid.decode() if isinstance(cid, bytes) else cid, raw))
        return out

    async def seconds_per_pairing(self) -> float | None:
        """Mean gap between recent pairings: the basis of the wait estimate; None without history."""
        times = [int(t) for t in await self._redis.lrange(self._keys.pair_times, 0, -1)]
        if len(times) < 2:
            return None
        span = (max(times) - min(times)) / 1000
        return max(span / (len(times) - 1), 1.0)
