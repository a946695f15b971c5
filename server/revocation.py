"""Revoked tokens: a Redis deny-list checked at connect and periodically on live sockets.

Logout revokes one token (by ``jti``) until it would have expired anyway; deactivating an account
revokes everything issued to it before that moment (and the account check in PostgreSQL refuses
it from then on).
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

from matching.keys import KEYS
from server.auth import Claims


class Revocations:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def revoke_token(self, claims: Claims) -> None:
        ttl = max(1, claims.expires_at - int(time.time()))
        await self._redis.set(KEYS.revoked_token(claims.token_id), 1, ex=ttl)

    async def revoke_subject(self, subject: str, ttl_s: int) -> None:
        await self._redis.set(KEYS.revoked_subject(subject), int(time.time()), ex=ttl_s)

    async def is_revoked(self, token_id: str, subject: str, issued_at: int) -> bool:
        token, since = await self._redis.mget(KEYS.revoked_token(token_id), KEYS.revoked_subject(subject))
        return token is not None or (since is not None and issued_at <= int(since))
