"""The pool is ready before the service is: every connection open, the hot statements prepared, and
no connection left inside a transaction (an idle one holding locks would block a TRUNCATE or ALTER)."""

from __future__ import annotations

import asyncio

import asyncpg

from server.store.pool import HOT_STATEMENTS, create_pool
from tests.conftest import Backends


def test_pool_opens_at_full_size_with_hot_statements_prepared(backends: Backends) -> None:
    import server.store.messages  # noqa: F401  (registers the message path's statements)

    async def check() -> None:
        pool = await create_pool(backends.database_url, size=3)
        observer = await asyncpg.connect(backends.database_url)
        try:
            assert pool.get_size() == 3 and pool.get_idle_size() == 3  # nothing opens lazily later
            assert len(HOT_STATEMENTS) >= 2
            conns = [await pool.acquire() for _ in range(3)]
            try:
                pids = [conn.get_server_pid() for conn in conns]
                in_transaction = await observer.fetchval(
                    "select count(*) from pg_stat_activity where pid = any($1::int[]) and xact_start is not null",
                    pids,
                )
                assert in_transaction == 0
                for conn in conns:
                    prepared = {r[0] for r in await conn.fetch("select statement from pg_prepared_statements")}
                    assert all(sql in prepared for sql in HOT_STATEMENTS)
            finally:
                for conn in conns:
                    await pool.release(conn)
        finally:
            await observer.close()
            await pool.close()

    asyncio.run(check())
