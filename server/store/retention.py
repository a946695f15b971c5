"""Keeping transcripts no longer than needed: the purge, and a seeker's own erasure."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, slots=True)
class PurgeResult:
    conversations: int
    messages: int
    seekers: int


async def purge(conn: asyncpg.Connection, *, retention_days: float, escalation_retention_days: float) -> PurgeResult:
    """Delete ended conversations (with their messages) older than the retention period.

    A conversation with an escalation is kept for ``escalation_retention_days`` instead: a
    supervisor may need to look back at a crisis. Open conversations are never purged.
    """
    async with conn.transaction():
        doomed = await conn.fetch(
            "select c.id from conversations c where c.status = 'ended' and ("
            " (not exists (select 1 from escalations e where e.conversation_id = c.id)"
            "  and c.ended_at < now() - make_interval(days => $1::int))"
            " or (exists (select 1 from escalations e where e.conversation_id = c.id)"
            "  and c.ended_at < now() - make_interval(days => $2::int)))",
            int(retention_days),
            int(escalation_retention_days),
        )
        ids = [r["id"] for r in doomed]
        messages = await conn.fetchval(
            "with d as (delete from messages where conversation_id = any($1::uuid[]) returning 1)"
            " select count(*) from d",
            ids,
        )
        await conn.execute("delete from conversations where id = any($1::uuid[])", ids)
        seekers = await conn.fetchval(
            "with d as (delete from seekers s where s.created_at < now() - make_interval(days => $1::int)"
            " and not exists (select 1 from conversations c where c.seeker_id = s.id) returning 1)"
            " select count(*) from d",
            int(retention_days),
        )
    return PurgeResult(len(ids), messages, seekers)


async def erase_conversation(conn: asyncpg.Connection, conversation_id: str) -> int:
    """The seeker's words go; that a conversation happened (and an escalation's outcome) stays.

    Staff-only whispers are deleted too, but the count is of what the seeker could see: counting
    whispers would tell the seeker how many staff-only messages there were."""
    async with conn.transaction():
        erased = await conn.fetchval(
            "with d as (delete from messages where conversation_id = $1::uuid returning visibility)"
            " select count(*) filter (where visibility = 'all') from d",
            conversation_id,
        )
        await conn.execute("update escalations set evidence = '[]' where conversation_id = $1::uuid", conversation_id)
        await conn.execute("update conversations set erased_at = now() where id = $1::uuid", conversation_id)
    return erased
