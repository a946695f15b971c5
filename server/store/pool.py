"""The asyncpg pool, with the codecs every query module relies on."""

from __future__ import annotations

import logging

import asyncpg
import orjson

log = logging.getLogger(__name__)

# Statements on every message's path, prepared on each pooled connection as it opens, so the first
# messages after a start do not pay for parsing and planning (a cold first step under load).
HOT_STATEMENTS: list[str] = []


def hot(sql: str) -> str:
    """Mark ``sql`` as prepared on every pooled connection before the service reports ready."""
    HOT_STATEMENTS.append(sql)
    return sql


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb", encoder=lambda v: orjson.dumps(v).decode(), decoder=orjson.loads, schema="pg_catalog"
    )


async def _init_pooled(conn: asyncpg.Connection) -> None:
    await _init_connection(conn)
    for sql in HOT_STATEMENTS:
        # asyncpg has no public "prepare into the statement cache"; ``prepare()`` makes a separate
        # statement that ``fetch(sql)`` would not reuse. ``_get_statement`` is what ``fetch`` calls.
        await conn._get_statement(sql, None)
    if HOT_STATEMENTS:
        # Parse/Describe without a following Sync leave an implicit transaction open, holding
        # ACCESS SHARE locks on the tables the statements name (a TRUNCATE or ALTER would wait
        # forever behind an idle pooled connection). One simple query ends it.
        await conn.execute("select 1")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """No reset query on release: the service never changes session state (no SET, LISTEN, advisory
    locks or cursors on pooled connections), and asyncpg still rolls back an open transaction. Saves a
    round trip on every release — one per message."""


async def create_pool(dsn: str, *, size: int = 20) -> asyncpg.Pool:
    """A pool opened at full size, hot statements prepared on every connection, before it returns:
    the service builds it before it serves, so ``/readyz`` never says ready while the pool would
    still grow under the first load. Idle connections are kept (no inactive lifetime) for the same
    reason; a broken connection is still replaced by asyncpg on its next acquire."""
    return await asyncpg.create_pool(
        dsn,
        min_size=size,
        max_size=size,
        init=_init_pooled,
        reset=_keep_session,
        command_timeout=30,
        max_inactive_connection_lifetime=0,
    )


async def connect(dsn: str) -> asyncpg.Connection:
    """A single connection for command-line tools, with the same codecs as the pool."""
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn


async def ping(conn: asyncpg.Connection) -> None:
    """The readiness probe's round trip."""
    await conn.fetchval("select 1")
