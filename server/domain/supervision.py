"""Supervisors inside a conversation: watch it, whisper or write, take it over. Every read is audited."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import asyncpg

from matching.queue import WaitingQueue
from server.domain.access import Access, access_conversation
from server.domain.assignments import Assignments
from server.domain.chat import ChatService
from server.domain.notify import Notifier
from server.domain.results import Conversations, StoredMessage, TakenOver, Transcript
from server.errors import conflict, not_found
from server.security.sessions import Actor
from server.store import audit, conversations, messages
from server.store.conversations import Conversation
from server.vocabulary import ConversationStatus, Sender, Visibility

if TYPE_CHECKING:
    from server.domain.alerts import AlertChannel

# The plain line a seeker reads when a supervisor steps in: their chat partner changed, and they are
# told so rather than seeing the heading silently switch names. Per conversation language.
_JOINED = {
    "en": ("{name}, a supervisor, has joined to help.", "A supervisor has joined to help."),
    "es": (
        "{name}, del equipo de supervisión, se ha unido para ayudar.",
        "Una persona del equipo de supervisión se ha unido para ayudar.",
    ),
}


def joined_line(language: str, name: str | None) -> str:
    named, anonymous = _JOINED.get(language, _JOINED["en"])
    return named.format(name=name) if name else anonymous


class Supervision:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        chat: ChatService,
        queue: WaitingQueue,
        assignments: Assignments,
        notifier: Notifier,
        alerts: AlertChannel,
    ) -> None:
        self._pool = pool
        self._chat = chat
        self._queue = queue
        self._assignments = assignments
        self._notify = notifier
        self._alerts = alerts

    async def join(self, actor: Actor, conversation_id: str) -> Transcript:
        result = await self.read(actor, conversation_id, 0, action="join")
        actor.joined.add(conversation_id)
        await self._alerts.stepped_in(actor, conversation_id, took_over=False)
        return result

    async def read(self, actor: Actor, conversation_id: str, after_seq: int, *, action: str = "read") -> Transcript:
        """``taken_over`` tells a reconnecting dashboard that this supervisor answers the seeker here."""
        async with self._pool.acquire() as conn, conn.transaction():
            conv = await access_conversation(conn, actor, conversation_id, Access.READ)
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
        return Transcript(conv, tuple(history), taken_over=_answers(actor, conv))

    async def taken_over(self, actor: Actor) -> Conversations:
        """The conversations this supervisor took over and that are still open (for a reload)."""
        async with self._pool.acquire() as conn:
            mine = await conversations.taken_over_by(conn, actor.id)
        return Conversations(tuple(mine))

    async def message(
        self, actor: Actor, conversation_id: str, client_id: str, text: str, visibility: str
    ) -> StoredMessage:
        if visibility == Visibility.STAFF:
            await self._check_whisper(actor, conversation_id)
        result = await self._chat.post_message(actor, conversation_id, client_id, text, visibility)
        async with self._pool.acquire() as conn:
            await audit.record(
                conn,
                actor_id=actor.id,
                actor_role=actor.role,
                action="whisper" if visibility == Visibility.STAFF else "message",
                conversation_id=conversation_id,
            )
        return result

    async def _check_whisper(self, actor: Actor, conversation_id: str) -> None:
        """A whisper reaches only the listener: with none left (taken over), it would reach nobody who
        can act on it, while the seeker waits for an answer. Refused, never silently stored."""
        async with self._pool.acquire() as conn:
            conv = await access_conversation(conn, actor, conversation_id, Access.WRITE)
        if conv.status != ConversationStatus.ENDED and conv.listener_id is None:
            raise conflict(
                "there is no listener in this conversation to whisper to; write to the seeker"
                ' (visibility "all") instead'
            )

    async def take_over(self, actor: Actor, conversation_id: str) -> TakenOver:
        async with self._pool.acquire() as conn, conn.transaction():
            conv = await access_conversation(conn, actor, conversation_id, Access.MODERATE, lock=True)
            if conv.status == ConversationStatus.ENDED:
                raise conflict("the conversation has ended")
            if conv.responder_id == actor.id:
                return TakenOver(conv, None)
            await conversations.take_over(conn, conv.id, actor.id)
            line = await messages.append(
                conn,
                conversation_id=conv.id,
                client_id=f"take-over-{uuid.uuid4()}",
                sender=Sender.SYSTEM,
                sender_id=None,
                text=joined_line(conv.language, actor.display_name),
                visibility=Visibility.ALL,
            )
            await audit.record(
                conn, actor_id=actor.id, actor_role=actor.role, action="take_over", conversation_id=conv.id
            )
            updated = await conversations.get(conn, conv.id)
        if updated is None:  # erased meanwhile
            raise not_found("no such conversation")
        actor.joined.add(conv.id)
        if conv.status == ConversationStatus.QUEUED:
            await self._queue.remove(conv.id)
        await self._notify.conversation(conv, "message", line.to_wire())
        await self._notify.seeker(
            conv.seeker_id,
            "matched",
            {"conversation_id": conv.id, "listener": {"display_name": actor.display_name}},
        )
        if conv.listener_id:
            await self._notify.listener(
                conv.listener_id,
                "released",
                {"conversation_id": conv.id, "by": Sender.SUPERVISOR, "reason": "take_over"},
            )
            await self._assignments.release(conv.listener_id)
        await self._alerts.stepped_in(actor, conv.id, took_over=True)
        return TakenOver(updated, line)


def _answers(actor: Actor, conv: Conversation) -> bool:
    return conv.responder_id == actor.id and conv.listener_id is None
