"""Anonymous seekers: an id and a language, nothing that names a person."""

from __future__ import annotations

import asyncpg


async def create(conn: asyncpg.Connection, language: str) -> str:
    return await conn.fetchval("insert into seekers (language) values ($1) returning id::text", language)


async def exists(conn: asyncpg.Connection, seeker_id: str) -> bool:
    return bool(await conn.fetchval("select true from seekers where id = $1::uuid", seeker_id))


async def block(conn: asyncpg.Connection, seeker_id: str) -> None:
    await conn.execute("update seekers set blocked_at = coalesce(blocked_at, now()) where id = $1::uuid", seeker_id)


async def is_blocked(conn: asyncpg.Connection, seeker_id: str) -> bool:
    return bool(await conn.fetchval("select blocked_at is not null from seekers where id = $1::uuid", seeker_id))
