"""Seats in group sessions: held atomically in Redis, so capacity holds across processes.

A join asks ``seat.lua`` for a seat before the member row is written; the script counts and adds in
one step, so thirty simultaneous joins on two processes for twelve seats seat exactly twelve. Redis
is only the index: the members in PostgreSQL are the truth, and a seat set that Redis lost (no
sentinel) is seeded again from them before anyone else is seated.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from matching.keys import KEYS, Keys
from matching.scripts import register

SEATS_SEEDED = "~seeded"
SEATS_TTL_S = 7 * 24 * 3600  # longer than any session; ended sessions' sets are deleted when they end


class SeatsFull(Exception):
    """Every seat in the session is taken."""


class GroupSeats:
    def __init__(self, redis: Redis, keys: Keys = KEYS) -> None:
        self._redis = redis
        self._keys = keys
        self._seat = register(redis, "seat")
        self._seed = register(redis, "seed_seats")

    async def hold(
        self, session_id: str, seeker_id: str, capacity: int, seated: Callable[[], Awaitable[list[str]]]
    ) -> int:
        """Hold a seat for this seeker (idempotent); the number taken. ``seated`` reads PostgreSQL's
        seated seekers, called only when the set must be rebuilt. Raises ``SeatsFull``."""
        key = self._keys.group_seats(session_id)
        for _ in range(3):
            answer = await self._seat(keys=[key], args=[seeker_id, capacity, SEATS_SEEDED])
            kind = _text(answer[0])
            if kind == "ok":
                return int(_text(answer[1]))
            if kind == "full":
                raise SeatsFull
            await self._seed(keys=[key], args=[SEATS_SEEDED, SEATS_TTL_S, *await seated()])
        raise RuntimeError("seat index could not be rebuilt")

    async def release(self, session_id: str, seeker_id: str) -> None:
        await self._redis.srem(self._keys.group_seats(session_id), seeker_id)

    async def close(self, session_id: str) -> None:
        """The session ended: nobody needs its seats any more."""
        await self._redis.delete(self._keys.group_seats(session_id), self._keys.group_typing(session_id))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
