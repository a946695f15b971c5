"""Leader election for periodic jobs: a Redis key with an expiry, renewed while the leader lives.

Exactly one process runs the jobs at a time; when it dies its key expires and another takes over
within ``ttl_s``.
"""

from __future__ import annotations

import logging
import uuid

from redis.asyncio import Redis

log = logging.getLogger(__name__)

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class LeaderLock:
    def __init__(self, redis: Redis, key: str, *, ttl_s: float = 5.0) -> None:
        self._redis = redis
        self._key = key
        self._ttl_ms = int(ttl_s * 1000)
        self.token = uuid.uuid4().hex
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)
        self.is_leader = False

    async def tick(self) -> bool:
        """Acquire or renew; call more often than the ttl. Returns whether this process leads now."""
        if self.is_leader:
            self.is_leader = bool(await self._renew(keys=[self._key], args=[self.token, self._ttl_ms]))
        if not self.is_leader:
            self.is_leader = bool(await self._redis.set(self._key, self.token, nx=True, px=self._ttl_ms))
            if self.is_leader:
                log.info("this process now runs the periodic jobs")
        return self.is_leader

    async def release(self) -> None:
        if self.is_leader:
            await self._release(keys=[self._key], args=[self.token])
            self.is_leader = False
