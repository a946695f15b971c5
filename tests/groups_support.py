"""Helpers for the support-group tests: a facilitator account, a group with a session, seekers seated.

Real accounts, real Socket.IO clients on ``/groups``, real rows; nothing mocked.
"""

from __future__ import annotations

import asyncpg

from tests.support import Client, create_user, login, seeker_token

GUIDELINES = "Be kind. What is said here stays here. One voice at a time."


async def make_facilitator(database_url: str, username: str, **kwargs: object) -> str:
    user_id = await create_user(database_url, username, **kwargs)  # type: ignore[arg-type]
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("update users set facilitator = true where id = $1::uuid", user_id)
    finally:
        await conn.close()
    return user_id


async def staff_client(base_url: str, username: str) -> Client:
    return await Client(base_url, "/groups", await login(base_url, username)).connect()


async def seeker_client(base_url: str) -> Client:
    return await Client(base_url, "/groups", await seeker_token(base_url)).connect()


async def drop_in(facilitator: Client, *, capacity: int = 12, title: str = "Evening circle") -> tuple[str, str]:
    """A group this facilitator leads, with a drop-in session open now: (group id, session id)."""
    group = (
        await facilitator.ok(
            "create_group",
            {"title": title, "topic": "recovery", "language": "en", "guidelines": GUIDELINES, "capacity": capacity},
        )
    )["group"]
    session = (await facilitator.ok("schedule", {"group_id": group["group_id"], "drop_in": True, "duration_min": 90}))[
        "session"
    ]
    return group["group_id"], session["session_id"]


async def join(seeker: Client, session_id: str, alias: str) -> dict:
    return await seeker.ok("join", {"session_id": session_id, "alias": alias, "accept_guidelines": True})


async def fetch(database_url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()
