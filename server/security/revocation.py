"""Revoked tokens: a Redis deny-list checked at connect and periodically on live sockets.

Logout revokes one token (by ``jti``) until it would have expired anyway. A deactivated account
needs no entry here: the account check in PostgreSQL refuses it at connect and on live sockets.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

from matching.keys import KEYS
from server.security.auth import Claims


class Revocations:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def revoke_token(self, claims: Claims) -> None:
        ttl = max(1, claims.expires_at - int(time.time()))
        await self._redis.set(KEYS.revoked_token(claims.token_id), 1, ex=ttl)

    async def is_revoked(self, token_id: str) -> bool:
        return bool(await self._redis.exists(KEYS.revoked_token(token_id)))
