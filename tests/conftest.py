"""Real PostgreSQL and Redis for every test: from DATABASE_URL / REDIS_URL, or embedded ones.

One server process serves the whole session; each test starts from empty tables and an empty
Redis database. Tests that need other settings start their own ``ServerProcess``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis

from server.store.migrate import migrate
from tests.support import METRICS_TOKEN, TEST_SECRET, ServerProcess


@dataclass(frozen=True)
class Backends:
    database_url: str
    redis_url: str

    def isolated_redis_url(self) -> str:
        """Another database on the same Redis, for a server whose settings must not meet the shared one's
        (periodic jobs follow whichever process holds the leader lock)."""
        base, _, db = self.redis_url.rpartition("/")
        other = 9 if db != "9" else 10
        return f"{base}/{other}" if db.isdigit() else f"{self.redis_url.rstrip('/')}/{other}"

    def server_env(self, **extra: str) -> dict[str, str]:
        env = {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "JWT_SECRET": TEST_SECRET,
            "METRICS_TOKEN": METRICS_TOKEN,
            "LOG_LEVEL": "INFO",
            "QUEUE_UPDATE_INTERVAL_S": "0.2",
            "PAIRING_INTERVAL_S": "0.5",
            # a loaded test machine can keep the detector worker busy for seconds; the tests that
            # need the model's verdict must get it (the deadline has its own test)
            "DETECTOR_DEADLINE_S": "30",
            # tests log in and open sessions far faster than people do; the limits have their own tests
            "RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_ADDRESS": "1000/minute",
            "RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME": "1000/minute",
            "RATE_LIMIT_LOGINS_PER_ADDRESS": "10000/minute",
            "RATE_LIMIT_SEEKER_SESSIONS_PER_ADDRESS": "10000/minute",
            "RATE_LIMIT_CHAT_REQUESTS_PER_SEEKER": "1000/minute",
            "RATE_LIMIT_CHAT_REQUESTS_PER_ADDRESS": "100000/minute",
            "RATE_LIMIT_CONNECTIONS_PER_ADDRESS": "100000/minute",
            # the pool opens at full size; test servers share one PostgreSQL (100 connections) with
            # other test runs, so each keeps a small one
            "DB_POOL_SIZE": "5",
        }
        env.update(extra)
        return env


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through Playwright")
    config.addinivalue_line("markers", "faults: kills processes and backing services")


@pytest.fixture(scope="session")
def backends() -> Iterator[Backends]:
    database_url = os.environ.get("DATABASE_URL")
    redis_url = os.environ.get("REDIS_URL")
    stack: list[object] = []
    tmp = Path(tempfile.mkdtemp(prefix="peerline-test-"))
    if not database_url:
        from server.runtime.embedded import start_postgres

        database_url, pg = start_postgres(tmp)
        stack.append(pg)
    if not redis_url:
        from server.runtime.embedded import start_redis

        redis_url, proc = start_redis(tmp)
        stack.append(proc)

    async def prepare() -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await migrate(conn)
        finally:
            await conn.close()

    asyncio.run(prepare())
    yield Backends(database_url, redis_url)
    for item in reversed(stack):
        if hasattr(item, "terminate"):
            item.terminate()  # type: ignore[attr-defined]
            item.wait(10)  # type: ignore[attr-defined]
        else:
            item.cleanup()  # type: ignore[attr-defined]
    shutil.rmtree(tmp, ignore_errors=True)  # a test run leaves no embedded data behind


@pytest.fixture
def hinting_server(backends: Backends) -> Iterator[ServerProcess]:
    """Risk thresholds as an operator may set them: alert only when nearly certain, hint early, so an
    invented worrying sentence lands between the two (watch-level hints, integration and browser)."""
    env = backends.server_env(
        ESCALATION_ALERT_THRESHOLD="0.999", ESCALATION_WATCH_THRESHOLD="0.05", REDIS_URL=backends.isolated_redis_url()
    )
    server = ServerProcess(env).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(backends: Backends) -> Iterator[ServerProcess]:
    server = ServerProcess(backends.server_env()).start()
    server.env = backends.server_env()  # for CLI commands run by tests
    yield server
    server.stop()


_TABLES = (
    "audit_log, escalations, messages, conversations, group_reports, group_messages, group_members,"
    " group_sessions, group_facilitators, groups, seekers, users"
)


async def reset_state(backends: Backends) -> None:
    conn = await asyncpg.connect(backends.database_url)
    try:
        await conn.execute(f"truncate {_TABLES} cascade")
    finally:
        await conn.close()
    for url in (backends.redis_url, backends.isolated_redis_url()):
        r = aioredis.Redis.from_url(url)
        try:
            await r.flushdb()
        finally:
            await r.aclose()


@pytest.fixture
async def clean_state(backends: Backends) -> AsyncIterator[None]:
    await reset_state(backends)
    yield
