"""Who a verified token belongs to: the subject must exist and (for staff) still be active."""

from __future__ import annotations

import asyncpg

from server.security.auth import Claims
from server.security.sessions import Actor
from server.store import seekers, users
from server.vocabulary import Role


class Identity:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def actor_for(self, claims: Claims, sid: str) -> Actor | None:
        async with self._pool.acquire() as conn:
            if claims.role == Role.SEEKER:
                if not await seekers.exists(conn, claims.subject):
                    return None
                return Actor(Role.SEEKER, claims.subject, sid, None, claims.token_id, claims.expires_at)
            user = await users.by_id(conn, claims.subject)
        if user is None or not user.active or user.role != claims.role:
            return None
        return Actor(
            role=user.role,
            id=user.id,
            sid=sid,
            display_name=user.display_name,
            token_id=claims.token_id,
            token_expires_at=claims.expires_at,
            languages=user.languages,
            topics=user.topics,
            max_chats=user.max_chats,
        )
