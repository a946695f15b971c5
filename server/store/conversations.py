"""Conversations: who, about what, in which state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from server.store.rows import bind
from server.timefmt import iso
from server.vocabulary import Role, sql_severity_rank


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    seeker_id: str
    topic: str
    language: str
    status: str
    severity: str
    listener_id: str | None
    responder_name: str | None
    responder_id: str | None
    last_seq: int
    created_at: datetime
    queued_at: datetime
    assigned_at: datetime | None

    @property
    def responder_role(self) -> str | None:
        """Who answers the seeker now: their listener, a supervisor who took it over, or nobody yet."""
        if self.responder_id is None:
            return None
        return Role.LISTENER if self.responder_id == self.listener_id else Role.SUPERVISOR

    def to_wire(self) -> dict[str, Any]:
        return {
            "conversation_id": self.id,
            "status": self.status,
            "topic": self.topic,
            "language": self.language,
            "severity": self.severity,
            "listener": {"display_name": self.responder_name} if self.responder_name else None,
            "responder_role": self.responder_role,
            "created_at": iso(self.created_at),
            "last_seq": self.last_seq,
        }


_SELECT = (
    "select c.id::text, c.seeker_id::text, c.topic, c.language, c.status, c.severity,"
    " c.listener_id::text, u.display_name as responder_name, c.responder_id::text, c.last_seq,"
    " c.created_at, c.queued_at, c.assigned_at"
    " from conversations c left join users u on u.id = c.responder_id"
)


def _conversation(row: asyncpg.Record | None) -> Conversation | None:
    if row is None:
        return None
    return bind(Conversation, row)


class AlreadyOpen(Exception):
    """The seeker already has a conversation that has not ended."""


async def create(conn: asyncpg.Connection, seeker_id: str, topic: str, language: str) -> Conversation:
    try:
        cid = await conn.fetchval(
            "insert into conversations (seeker_id, topic, language) values ($1::uuid, $2, $3) returning id::text",
            seeker_id,
            topic,
            language,
        )
    except asyncpg.UniqueViolationError:
        raise AlreadyOpen from None
    conv = await get(conn, cid)
    if conv is None:
        raise RuntimeError("the conversation just inserted is not there")
    return conv


async def get(conn: asyncpg.Connection, conversation_id: str, *, lock: bool = False) -> Conversation | None:
    # With ``lock`` the row stays locked until the transaction ends: writers of one conversation queue.
    suffix = " for update of c" if lock else ""
    return _conversation(await conn.fetchrow(f"{_SELECT} where c.id = $1::uuid{suffix}", conversation_id))


async def open_for_seeker(conn: asyncpg.Connection, seeker_id: str) -> Conversation | None:
    return _conversation(
        await conn.fetchrow(f"{_SELECT} where c.seeker_id = $1::uuid and c.status <> 'ended'", seeker_id)
    )


async def assign(conn: asyncpg.Connection, conversation_id: str, listener_id: str) -> Conversation | None:
    """Queued -> active with this listener; None when it is no longer queued (ended meanwhile)."""
    done = await conn.fetchval(
        "update conversations set status = 'active', listener_id = $2::uuid, responder_id = $2::uuid,"
        " assigned_at = now() where id = $1::uuid and status = 'queued' returning true",
        conversation_id,
        listener_id,
    )
    return await get(conn, conversation_id) if done else None


async def end(conn: asyncpg.Connection, conversation_id: str, by: str, reason: str) -> Conversation | None:
    """Ends it once; None when it had already ended."""
    done = await conn.fetchval(
        "update conversations set status = 'ended', ended_at = now(), ended_by = $2, end_reason = $3"
        " where id = $1::uuid and status <> 'ended' returning true",
        conversation_id,
        by,
        reason,
    )
    return await get(conn, conversation_id) if done else None


async def requeue(conn: asyncpg.Connection, conversation_id: str) -> Conversation | None:
    """Active -> queued again, transcript kept; the listener is no longer its responder."""
    done = await conn.fetchval(
        "update conversations set status = 'queued', listener_id = null, responder_id = null,"
        " queued_at = now() where id = $1::uuid and status = 'active' returning true",
        conversation_id,
    )
    return await get(conn, conversation_id) if done else None


def write_allowed(conv: str, *, role: str, actor: str, joined: str) -> str:
    """The write rule of ``server/access.may`` as SQL over the conversation row ``conv`` (the others are
    SQL expressions: the actor's role as the chat passes it, their id, whether they joined it). The
    one-statement message post decides with it; ``tests/domain/test_access.py`` keeps the two in step."""
    return (
        f"case {role}::text when '{Role.SEEKER}' then {conv}.seeker_id = {actor}::uuid"
        f" when '{Role.LISTENER}' then {conv}.listener_id is not distinct from {actor}::uuid"
        f" else ({joined}::bool or {conv}.responder_id is not distinct from {actor}::uuid) end"
    )


async def may_write(
    conn: asyncpg.Connection, conversation_id: str, *, role: str, actor_id: str, joined: bool
) -> bool | None:
    """``write_allowed`` on its own (None: no such conversation)."""
    return await conn.fetchval(
        f"select {write_allowed('c', role='$2', actor='$3', joined='$4')} from conversations c where c.id = $1::uuid",
        conversation_id,
        role,
        actor_id,
        joined,
    )


async def take_over(conn: asyncpg.Connection, conversation_id: str, supervisor_id: str) -> None:
    """A supervisor becomes the responder; the listener (if any) leaves the conversation."""
    await conn.execute(
        "update conversations set status = 'active', responder_id = $2::uuid, listener_id = null,"
        " assigned_at = coalesce(assigned_at, now()) where id = $1::uuid",
        conversation_id,
        supervisor_id,
    )


async def raise_severity(conn: asyncpg.Connection, conversation_id: str, severity: str) -> None:
    await conn.execute(
        "update conversations set severity = $2 where id = $1::uuid and"
        f" {sql_severity_rank('severity')} < {sql_severity_rank('$2')}",
        conversation_id,
        severity,
    )


async def active_for_listener(conn: asyncpg.Connection, listener_id: str) -> list[Conversation]:
    rows = await conn.fetch(
        f"{_SELECT} where c.listener_id = $1::uuid and c.status = 'active' order by c.assigned_at",
        listener_id,
    )
    return [c for c in map(_conversation, rows) if c is not None]


async def taken_over_by(conn: asyncpg.Connection, supervisor_id: str) -> list[Conversation]:
    """The open conversations a supervisor answers (took over): their dashboard after a reload."""
    rows = await conn.fetch(
        f"{_SELECT} where c.responder_id = $1::uuid and c.listener_id is null and c.status = 'active'"
        " order by c.assigned_at",
        supervisor_id,
    )
    return [c for c in map(_conversation, rows) if c is not None]


async def all_queued(conn: asyncpg.Connection) -> list[Conversation]:
    rows = await conn.fetch(f"{_SELECT} where c.status = 'queued' order by c.queued_at")
    return [c for c in map(_conversation, rows) if c is not None]


async def active_load(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch(
        "select listener_id::text as listener_id, count(*) as n from conversations where status = 'active'"
        " and listener_id is not null group by listener_id"
    )
    return {r["listener_id"]: r["n"] for r in rows}


async def count_active(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("select count(*) from conversations where status = 'active'")
