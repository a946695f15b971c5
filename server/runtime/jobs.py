"""Periodic work, run by exactly one process at a time (``LeaderLock``).

Pairing sweeps (a seeker who crossed the topic-wait bound), queue reconciliation with PostgreSQL,
listener grace expiry, escalation re-alerts and paging, and the supervisors' overview.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from server.runtime.leader import LeaderLock

log = logging.getLogger(__name__)


class PeriodicJobs:
    def __init__(self, leader: LeaderLock, *, interval_s: float) -> None:
        self._leader = leader
        self._interval_s = interval_s
        self._jobs: list[tuple[str, float, Callable[[], Awaitable[object]]]] = []
        self._last_run: dict[str, float] = {}

    @property
    def is_leader(self) -> bool:
        return self._leader.is_leader

    def every(self, name: str, period_s: float, job: Callable[[], Awaitable[object]]) -> None:
        self._jobs.append((name, period_s, job))

    async def run(self) -> None:
        try:
            while True:
                await self.tick()
                await asyncio.sleep(self._interval_s)
        finally:
            try:
                await self._leader.release()
            except Exception:
                log.warning("could not release the leader lock")

    async def tick(self) -> None:
        try:
            if not await self._leader.tick():
                return
        except Exception as exc:
            log.warning("leader lock unavailable: %s", type(exc).__name__)
            return
        now = time.monotonic()
        for name, period_s, job in self._jobs:
            if now - self._last_run.get(name, 0.0) < period_s:
                continue
            self._last_run[name] = now
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("periodic job %s failed", name)
