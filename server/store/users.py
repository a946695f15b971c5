"""Staff accounts: listeners, supervisors and admins."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    display_name: str
    role: str
    topics: tuple[str, ...]
    languages: tuple[str, ...]
    max_chats: int
    active: bool
    password_hash: str


_COLUMNS = "id::text, username, display_name, role, topics, languages, max_chats, active, password_hash"


def _user(row: asyncpg.Record | None) -> User | None:
    if row is None:
        return None
    return User(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        topics=tuple(row["topics"]),
        languages=tuple(row["languages"]),
        max_chats=row["max_chats"],
        active=row["active"],
        password_hash=row["password_hash"],
    )


async def active_among(conn: asyncpg.Connection, user_ids: list[str]) -> set[str]:
    """Which of these accounts may still be signed in (the token watcher drops the others' sockets)."""
    rows = await conn.fetch("select id::text as id from users where id = any($1::uuid[]) and active", user_ids)
    return {r["id"] for r in rows}


class UsernameTaken(Exception):
    pass


async def create(
    conn: asyncpg.Connection,
    *,
    username: str,
    display_name: str,
    password_hash: str,
    role: str,
    topics: list[str],
    languages: list[str],
    max_chats: int = 3,
) -> User:
    try:
        row = await conn.fetchrow(
            f"insert into users (username, display_name, password_hash, role, topics, languages, max_chats)"
            f" values ($1, $2, $3, $4, $5, $6, $7) returning {_COLUMNS}",
            username,
            display_name,
            password_hash,
            role,
            topics,
            languages,
            max_chats,
        )
    except asyncpg.UniqueViolationError:
        raise UsernameTaken(username) from None
    user = _user(row)
    if user is None:
        raise RuntimeError("insert into users returned no row")
    return user


async def by_username(conn: asyncpg.Connection, username: str) -> User | None:
    return _user(await conn.fetchrow(f"select {_COLUMNS} from users where username = $1", username))


async def by_id(conn: asyncpg.Connection, user_id: str) -> User | None:
    return _user(await conn.fetchrow(f"select {_COLUMNS} from users where id = $1::uuid", user_id))


async def all_users(conn: asyncpg.Connection) -> list[User]:
    rows = await conn.fetch(f"select {_COLUMNS} from users order by username")
    return [u for u in map(_user, rows) if u is not None]


async def set_active(conn: asyncpg.Connection, username: str, active: bool) -> User | None:
    return _user(
        await conn.fetchrow(f"update users set active = $2 where username = $1 returning {_COLUMNS}", username, active)
    )


async def set_max_chats(conn: asyncpg.Connection, user_id: str, max_chats: int) -> None:
    await conn.execute("update users set max_chats = $2 where id = $1::uuid", user_id, max_chats)


async def set_facilitator(conn: asyncpg.Connection, username: str, facilitator: bool) -> bool:
    """Give or take the capability to lead support groups; False when there is no such account."""
    return bool(
        await conn.fetchval(
            "update users set facilitator = $2 where username = $1 returning true", username, facilitator
        )
    )


async def facilitators_by_username(conn: asyncpg.Connection, usernames: list[str]) -> dict[str, str]:
    """The ids of those of ``usernames`` who are active and may lead groups (the others are left out)."""
    rows = await conn.fetch(
        "select username, id::text as id from users where username = any($1::text[]) and facilitator and active",
        usernames,
    )
    return {row["username"]: row["id"] for row in rows}
