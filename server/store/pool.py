"""The asyncpg pool, with the codecs every query module relies on."""

from __future__ import annotations

import asyncpg
import orjson


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb", encoder=lambda v: orjson.dumps(v).decode(), decoder=orjson.loads, schema="pg_catalog"
    )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """No reset query on release: the service never changes session state (no SET, LISTEN, advisory
    locks or cursors on pooled connections), and asyncpg still rolls back an open transaction. Saves a
    round trip on every release — one per message."""


async def create_pool(dsn: str, *, size: int = 20) -> asyncpg.Pool:
    """A pool sized for the process; statements are prepared and cached per connection by asyncpg."""
    return await asyncpg.create_pool(
        dsn,
        min_size=min(2, size),
        max_size=size,
        init=_init_connection,
        reset=_keep_session,
        command_timeout=30,
        max_inactive_connection_lifetime=300,
    )


async def connect(dsn: str) -> asyncpg.Connection:
    """A single connection for command-line tools, with the same codecs as the pool."""
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn
