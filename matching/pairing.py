"""Pairing: the atomic Redis step that hands one seeker to one listener (``scripts/pair.lua``).

Both sides are marked in the same script that chooses them, so any number of processes may try at
once and never hand out the same seeker twice or fill a listener past ``max_chats``.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from matching.keys import KEYS, Keys
from matching.presence import STALE_MS
from matching.queue import now_ms
from matching.scripts import register

SCAN_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class Pair:
    conversation_id: str
    listener_id: str
    seeker_id: str
    waited_ms: int


class TakeRefused(Exception):
    """Why a listener could not take a conversation: offline, capacity, not_queued, language, empty."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Pairing:
    def __init__(self, redis: Redis, *, topic_wait_s: float, keys: Keys = KEYS) -> None:
        self._keys = keys
        self._topic_wait_ms = int(topic_wait_s * 1000)
        self._pair = register(redis, "pair")
        self._take = register(redis, "take")

    def _script_keys(self) -> list[str]:
        k = self._keys
        return [k.queue, k.queue_meta, k.listeners, k.load, k.idle, k.queue_version, k.pair_times, k.seen("listener")]

    async def pair_next(self, *, conversation_id: str = "", listener_id: str = "") -> Pair | None:
        """The single best pair now (optionally only for one conversation or one listener)."""
        result = await self._pair(
            keys=self._script_keys(),
            args=[now_ms(), self._topic_wait_ms, conversation_id, listener_id, SCAN_LIMIT, STALE_MS],
        )
        if not result:
            return None
        cid, lid, sid, waited = (x.decode() if isinstance(x, bytes) else x for x in result)
        return Pair(cid, lid, sid, int(waited))

    async def take(self, listener_id: str, conversation_id: str = "") -> Pair:
        result = await self._take(
            keys=self._script_keys(),
            args=[now_ms(), self._topic_wait_ms, listener_id, conversation_id, SCAN_LIMIT],
        )
        parts = [x.decode() if isinstance(x, bytes) else x for x in result]
        if parts[0] != "ok":
            raise TakeRefused(parts[1])
        return Pair(parts[1], listener_id, parts[2], int(parts[3]))
