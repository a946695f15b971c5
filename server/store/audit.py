"""The audit log: every supervisor read and action, who, what, which conversation, when."""

from __future__ import annotations

from typing import Any

import asyncpg


async def record(
    conn: asyncpg.Connection,
    *,
    actor_id: str | None,
    actor_role: str,
    action: str,
    conversation_id: str | None = None,
    escalation_id: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        "insert into audit_log (actor_id, actor_role, action, conversation_id, escalation_id, detail)"
        " values ($1::uuid, $2, $3, $4::uuid, $5::uuid, $6)",
        actor_id,
        actor_role,
        action,
        conversation_id,
        escalation_id,
        detail or {},
    )


async def listing(conn: asyncpg.Connection, limit: int = 200) -> list[asyncpg.Record]:
    return await conn.fetch(
        "select a.at, a.actor_role, coalesce(u.username, a.actor_id::text) as actor, a.action,"
        " a.conversation_id::text, a.escalation_id::text, a.detail"
        " from audit_log a left join users u on u.id = a.actor_id order by a.at desc, a.id desc limit $1",
        limit,
    )
