"""The benchmark's own PostgreSQL database and Redis db, reset before each service run.

Other people use this machine's other databases: we only ever touch the benchmark's own database
(``peerline_bench`` unless ``PEERLINE_BENCH_DATABASE_URL`` or ``--database-url`` names another) and
its own Redis db (db 7 on 6379 unless ``PEERLINE_BENCH_REDIS_URL`` or ``--redis-url`` says otherwise),
and only with TRUNCATE / FLUSHDB on those.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass

import asyncpg
import redis.asyncio as aioredis

from server.auth import hash_password
from server.store import users
from server.store.migrate import migrate
from server.store.pool import connect

DATABASE_URL = os.environ.get("PEERLINE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/peerline_bench")
REDIS_URL = os.environ.get("PEERLINE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
JWT_SECRET = "bench-secret-" + "b" * 40
STAFF_PASSWORD = "bench password 1"
_TABLES = "audit_log, escalations, messages, conversations, seekers, users"

# Load far above what abuse limits allow for people; the limits have their own tests.
LOAD_ENV = {
    "RATE_LIMIT_EVENTS_PER_SOCKET": "1000/second",
    "RATE_LIMIT_CHAT_REQUESTS_PER_SEEKER": "1000/minute",
    "RATE_LIMIT_CHAT_REQUESTS_PER_ADDRESS": "1000000/minute",
    "RATE_LIMIT_SEEKER_SESSIONS_PER_ADDRESS": "100000/minute",
    "RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_ADDRESS": "10000/minute",
    "RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME": "10000/minute",
    "RATE_LIMIT_LOGINS_PER_ADDRESS": "100000/minute",
    "RATE_LIMIT_CONNECTIONS_PER_ADDRESS": "1000000/minute",
    "LOG_LEVEL": "WARNING",
    "METRICS_TOKEN": "bench-metrics-token",  # the generator reads the loop-lag histogram at each run's edges
}


@dataclass(frozen=True)
class Staff:
    listeners: list[dict[str, object]]
    supervisor: dict[str, str]


def use(database_url: str | None, redis_url: str | None) -> None:
    """Point the benchmark at other backends (``--database-url`` / ``--redis-url``)."""
    global DATABASE_URL, REDIS_URL
    DATABASE_URL = database_url or DATABASE_URL
    REDIS_URL = redis_url or REDIS_URL
    if DATABASE_URL.rstrip("/").rsplit("/", 1)[-1].split("?")[0] == "test":
        raise SystemExit("refusing to truncate the shared database `test`: give the benchmark its own")


def service_env(detector_model: str | None = None) -> dict[str, str]:
    return {
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "JWT_SECRET": JWT_SECRET,
        **LOAD_ENV,
        **({"DETECTOR_MODEL": detector_model} if detector_model else {}),
    }


def reset_and_seed(n_listeners: int, max_chats: int) -> Staff:
    """Empty tables and Redis db, then listeners (topic ``talk``, English) and one supervisor."""
    return asyncio.run(_reset_and_seed(n_listeners, max_chats, DATABASE_URL, REDIS_URL))


async def _reset_and_seed(n: int, max_chats: int, database_url: str, redis_url: str) -> Staff:
    conn: asyncpg.Connection = await connect(database_url)
    try:
        await migrate(conn)
        await conn.execute(f"truncate {_TABLES} cascade")
        hashed = hash_password(STAFF_PASSWORD)  # argon2 is slow: once, reused for every account
        listeners = []
        for i in range(n):
            name = f"bench-listener-{i}"
            await users.create(
                conn,
                username=name,
                display_name=f"Listener {i}",
                password_hash=hashed,
                role="listener",
                topics=["talk"],
                languages=["en"],
                max_chats=max_chats,
            )
            listeners.append({"username": name, "password": STAFF_PASSWORD, "maxChats": max_chats})
        await users.create(
            conn,
            username="bench-supervisor",
            display_name="Supervisor",
            password_hash=hashed,
            role="supervisor",
            topics=[],
            languages=["en"],
            max_chats=1,
        )
    finally:
        await conn.close()
    r = aioredis.Redis.from_url(redis_url)
    try:
        await r.flushdb()  # the benchmark's own db only
    finally:
        await r.aclose()
    return Staff(listeners, {"username": "bench-supervisor", "password": STAFF_PASSWORD})
