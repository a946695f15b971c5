"""Supervisors inside a conversation: watch it, whisper or write, take it over. Every read is audited."""

from __future__ import annotations

from typing import Any

import asyncpg

from matching.queue import WaitingQueue
from server.assignments import Assignments
from server.chat import ChatService
from server.errors import conflict, not_found
from server.notify import Notifier
from server.sessions import Actor
from server.store import audit, conversations, messages


class Supervision:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        chat: ChatService,
        queue: WaitingQueue,
        assignments: Assignments,
        notifier: Notifier,
    ) -> None:
        self._pool = pool
        self._chat = chat
        self._queue = queue
        self._assignments = assignments
        self._notify = notifier

    async def join(self, actor: Actor, conversation_id: str) -> dict[str, Any]:
        result = await self.read(actor, conversation_id, 0, action="join")
        actor.joined.add(conversation_id)
        return result

    async def read(self, actor: Actor, conversation_id: str, after_seq: int, *, action: str = "read") -> dict[str, Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            conv = await conversations.get(conn, conversation_id)
            if conv is None:
                raise not_found("no such conversation")
            history = await messages.after(conn, conv.id, after_seq, include_staff=True)
            await audit.record(
                conn,
                actor_id=actor.id,
                actor_role=actor.role,
                action=action,
                conversation_id=conv.id,
                detail={"after_seq": after_seq, "messages": len(history)},
            )
        actor.joined.add(conv.id)
        return {"conversation": conv.to_wire(), "messages": [m.to_wire() for m in history]}

    async def message(
        self, actor: Actor, conversation_id: str, client_id: str, text: str, visibility: str
    ) -> dict[str, Any]:
        result = await self._chat.post_message(actor, conversation_id, client_id, text, visibility)
        async with self._pool.acquire() as conn:
            await audit.record(
                conn,
                actor_id=actor.id,
                actor_role=actor.role,
                action="whisper" if visibility == "staff" else "message",
                conversation_id=conversation_id,
            )
        return result

    async def take_over(self, actor: Actor, conversation_id: str) -> dict[str, Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            conv = await conversations.get(conn, conversation_id, lock=True)
            if conv is None:
                raise not_found("no such conversation")
            if conv.status == "ended":
                raise conflict("the conversation has ended")
            if conv.responder_id == actor.id:
                return {"conversation": conv.to_wire()}
            await conn.execute(
                "update conversations set status = 'active', responder_id = $2::uuid, listener_id = null,"
                " assigned_at = coalesce(assigned_at, now()) where id = $1::uuid",
                conv.id,
                actor.id,
            )
            await audit.record(
                conn, actor_id=actor.id, actor_role=actor.role, action="take_over", conversation_id=conv.id
            )
            updated = await conversations.get(conn, conv.id)
        assert updated is not None
        actor.joined.add(conv.id)
        if conv.status == "queued":
            await self._queue.remove(conv.id)
        await self._notify.seeker(
            conv.seeker_id,
            "matched",
            {"conversation_id": conv.id, "listener": {"display_name": actor.display_name}},
        )
        if conv.listener_id:
            await self._notify.listener(
                conv.listener_id,
                "released",
                {"conversation_id": conv.id, "by": "supervisor", "reason": "take_over"},
            )
            await self._assignments.release(conv.listener_id)
        return {"conversation": updated.to_wire()}
