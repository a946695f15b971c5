"""Group commit for messages: every post waiting at the moment goes to PostgreSQL in one round trip.

Under load, posts arrive while a batch is in flight; they wait for it and leave together in the
next one (pipelined by asyncpg's ``fetchmany``, one transaction), so the cost per message falls as
the load rises. Each post is still acknowledged only after its batch has committed. A batch that
fails as a whole (a concurrent retry of the same ``client_id``, a deadlock between processes) is
retried one post at a time, so one post's trouble never becomes another's.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg

from server.store import messages
from server.store.messages import Posted

log = logging.getLogger(__name__)

_MAX_BATCH = 200
_IN_FLIGHT = 2  # batches at once: a row lock held elsewhere must not stall every post behind it


class MessageWriter:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._waiting: list[tuple[tuple[Any, ...], asyncio.Future[Posted]]] = []
        self._flushing = 0

    async def post(self, args: tuple[Any, ...]) -> Posted:
        future: asyncio.Future[Posted] = asyncio.get_running_loop().create_future()
        self._waiting.append((args, future))
        if self._flushing < _IN_FLIGHT:
            self._flushing += 1
            asyncio.get_running_loop().create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:_MAX_BATCH], self._waiting[_MAX_BATCH:]
                await self._write(batch)
        finally:
            self._flushing -= 1

    async def _write(self, batch: list[tuple[tuple[Any, ...], asyncio.Future[Posted]]]) -> None:
        try:
            async with self._pool.acquire() as conn:
                if len(batch) == 1:
                    results = [await messages.post_one(conn, batch[0][0])]
                else:
                    results = await messages.post_many(conn, [args for args, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exc)
                return
            log.info(
                "a batch of %d posts failed together (%s); writing them one by one", len(batch), type(exc).__name__
            )
            for item in batch:
                await self._write([item])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)


def _settle(future: asyncio.Future[Posted], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
