"""The conversation itself: asking for a chat, every message, typing, resuming, ending.

A message is stored (one PostgreSQL transaction, with any escalation it causes) before it is
acknowledged or delivered: the ack means "stored". Rules about who may do what live here, so they
can be tested without a socket.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from escalation.detector import Assessment
from matching.queue import WaitingQueue
from server.domain.access import Access, access_conversation
from server.domain.assignments import Assignments, waiting_entry
from server.domain.notify import Notifier
from server.domain.results import Blocked, ChatRequested, Conversations, Erased, StoredMessage, Transcript
from server.effects import best_effort
from server.errors import ProtocolError, conflict, forbidden, invalid, not_found
from server.metrics import MESSAGES
from server.security.sessions import Actor
from server.store import audit, conversations, messages, retention, seekers
from server.store.conversations import Conversation
from server.store.escalations import Recorded
from server.store.messages import Message
from server.vocabulary import ConversationStatus, Role, Sender, Visibility

log = logging.getLogger(__name__)


class RiskHandler(Protocol):
    """What the chat needs from the escalation side (``server.domain.alerts.AlertChannel``)."""

    async def assess(self, window: list[str], language: str) -> Assessment: ...

    async def record_detection(
        self, conn: asyncpg.Connection, conv: Conversation, message: Message, assessment: Assessment
    ) -> Recorded: ...

    async def on_detection(
        self, conv: Conversation, assessment: Assessment, recorded: Recorded, *, newest_at_risk: bool
    ) -> None: ...

    async def on_watch(self, conv: Conversation, message: Message, assessment: Assessment) -> None: ...


@dataclass(frozen=True, slots=True)
class Assessed:
    """A verdict on a window that ends with the new message, taken before that message is stored."""

    assessment: Assessment
    newest_at_risk: bool  # the new message itself shows risk (not only an earlier one in the window)


@dataclass(frozen=True, slots=True)
class Stored:
    message: Message
    assessed: Assessed | None
    recorded: Recorded

    async def report(self, risk: RiskHandler, conv: Conversation) -> None:
        if self.assessed is None:
            return
        assessment = self.assessed.assessment
        if assessment.escalate:
            await risk.on_detection(conv, assessment, self.recorded, newest_at_risk=self.assessed.newest_at_risk)
        elif assessment.watch:
            await risk.on_watch(conv, self.message, assessment)


class ChatService:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        queue: WaitingQueue,
        assignments: Assignments,
        risk: RiskHandler,
        notifier: Notifier,
        topics: frozenset[str],
        languages: frozenset[str],
        detector_window: int,
    ) -> None:
        self._pool = pool
        self._queue = queue
        self._assignments = assignments
        self._risk = risk
        self._notify = notifier
        self._topics = topics
        self._languages = languages
        self._window = detector_window

    # -- seeker asks for a chat -------------------------------------------------------------
    async def request_chat(
        self, actor: Actor, topic: str, language: str, text: str | None, client_id: str | None
    ) -> ChatRequested:
        if topic not in self._topics:
            raise invalid("unknown topic; see /api/topics")
        if language not in self._languages:
            raise invalid("unsupported language")
        assessed = await self._assess([text], language) if text is not None else None
        async with self._pool.acquire() as conn:
            if await seekers.is_blocked(conn, actor.id):
                raise forbidden("this session may not start new chats")
            try:
                async with conn.transaction():
                    conv = await conversations.create(conn, actor.id, topic, language)
                    stored = None
                    if text is not None:
                        stored = await self._store(
                            conn, conv, actor, client_id or f"first-{uuid.uuid4()}", text, Visibility.ALL, assessed
                        )
                        conv = await conversations.get(conn, conv.id) or conv
            except conversations.AlreadyOpen:
                open_now = await conversations.open_for_seeker(conn, actor.id)
                # The open conversation's id lets a client whose first request's ack was lost resume it.
                raise conflict(
                    "you already have an open conversation", conversation_id=open_now.id if open_now else None
                ) from None
        actor.conversation_id = conv.id
        queued = await best_effort(self._queue.add(waiting_entry(conv)), "queueing a conversation")
        if stored is not None:
            await stored.report(self._risk, conv)
        if queued is None and not await best_effort(self._queue.contains(conv.id), "queue check"):
            # Stored and waiting in PostgreSQL; Redis is away. The reconciler queues it when Redis is back.
            return ChatRequested(conv.id, None)
        await best_effort(self._assignments.pair_waiting(conversation_id=conv.id), "pairing")
        position = await best_effort(self._queue.position(conv.id), "queue position")
        actor.last_position = position
        return ChatRequested(conv.id, position or 0)

    # -- messages --------------------------------------------------------------------------
    async def post_message(
        self, actor: Actor, conversation_id: str, client_id: str, text: str, visibility: str = Visibility.ALL
    ) -> StoredMessage:
        """Most messages take one statement (two for a seeker: the detector's window first); a message
        that shows risk takes the transactional path, which stores it together with its escalation.

        A seeker's message is assessed *before* it is stored, off the event loop (``escalation.offload``),
        so a stored seeker message always has its verdict: there is no gap for a crash to fall into."""
        assessed = None
        if actor.role == Role.SEEKER:
            async with self._pool.acquire() as conn:
                window = await messages.recent_seeker_texts(conn, conversation_id, self._window - 1)
            assessed = await self._assess([*window, text], "")  # every loaded language is checked
        async with self._pool.acquire() as conn:
            if assessed is not None and assessed.assessment.escalate:
                return await self._post_locked(conn, actor, conversation_id, client_id, text, visibility, assessed)
            try:
                posted = await messages.post(
                    conn,
                    conversation_id=conversation_id,
                    client_id=client_id,
                    sender=_sender(actor),
                    sender_id=actor.id,
                    role=Role.SUPERVISOR if actor.is_supervisor else actor.role,
                    joined=conversation_id in actor.joined,
                    text=text,
                    visibility=visibility,
                    sender_name=_sender_name(actor),
                )
            except asyncpg.UniqueViolationError:  # a concurrent retry of the same client_id won the race
                return await self._post_locked(conn, actor, conversation_id, client_id, text, visibility, assessed)
        if posted.conversation is None:
            raise not_found("no such conversation")
        if not posted.allowed:
            raise forbidden()
        if posted.message is None:
            raise conflict("the conversation has ended")
        if not posted.duplicate:  # a safe retry acks its first copy and is not delivered again
            MESSAGES.labels(posted.message.sender).inc()
            await self._notify.conversation(
                posted.conversation,
                "message",
                posted.message.to_wire(),
                skip_sid=actor.sid,
                staff_only=visibility == Visibility.STAFF,
            )
            if assessed is not None and assessed.assessment.watch:
                await self._risk.on_watch(posted.conversation, posted.message, assessed.assessment)
        return StoredMessage(posted.message)

    async def _assess(self, window: list[str], language: str) -> Assessed:
        assessment = await self._risk.assess(window, language)
        newest = len(window) - 1
        return Assessed(assessment, any(e.message_index == newest for e in assessment.evidence))

    async def _post_locked(
        self,
        conn: asyncpg.Connection,
        actor: Actor,
        conversation_id: str,
        client_id: str,
        text: str,
        visibility: str,
        assessed: Assessed | None,
    ) -> StoredMessage:
        async with conn.transaction():
            conv = await access_conversation(conn, actor, conversation_id, Access.WRITE, lock=True)
            existing = await messages.by_client_id(conn, conv.id, actor.id, client_id)
            if existing is not None:
                return StoredMessage(existing)  # a safe retry: the first copy, delivered once
            if conv.status == ConversationStatus.ENDED:
                raise conflict("the conversation has ended")
            stored = await self._store(conn, conv, actor, client_id, text, visibility, assessed)
        MESSAGES.labels(stored.message.sender).inc()
        await self._notify.conversation(
            conv, "message", stored.message.to_wire(), skip_sid=actor.sid, staff_only=visibility == Visibility.STAFF
        )
        await stored.report(self._risk, conv)
        return StoredMessage(stored.message)

    async def _store(
        self,
        conn: asyncpg.Connection,
        conv: Conversation,
        actor: Actor,
        client_id: str,
        text: str,
        visibility: str,
        assessed: Assessed | None,
    ) -> Stored:
        """Inside the caller's transaction, with the conversation row locked. A seeker's message
        comes assessed; if not (another path), it is assessed here, before it is stored."""
        if actor.role == Role.SEEKER and assessed is None:
            window = await messages.recent_seeker_texts(conn, conv.id, self._window - 1)
            assessed = await self._assess([*window, text], conv.language)
        message = await messages.append(
            conn,
            conversation_id=conv.id,
            client_id=client_id,
            sender=_sender(actor),
            sender_id=actor.id,
            text=text,
            visibility=visibility,
            sender_name=_sender_name(actor),
        )
        recorded = Recorded()
        if assessed is not None and assessed.assessment.escalate:
            recorded = await self._risk.record_detection(conn, conv, message, assessed.assessment)
        return Stored(message, assessed, recorded)

    async def typing(self, actor: Actor, conversation_id: str, is_typing: bool) -> None:
        """A supervisor who only watches (joined, not taken over) is invisible to the seeker, so their
        typing goes to staff only; once they respond (``take_over``) the seeker sees it."""
        async with self._pool.acquire() as conn:
            conv = await access_conversation(conn, actor, conversation_id, Access.WRITE)
        if conv.status == ConversationStatus.ENDED:
            raise conflict("the conversation has ended")
        await self._notify.conversation(
            conv,
            "typing",
            {"conversation_id": conv.id, "sender": _sender(actor), "typing": is_typing},
            skip_sid=actor.sid,
            staff_only=actor.is_supervisor and conv.responder_id != actor.id,
        )

    async def resume(self, actor: Actor, conversation_id: str, after_seq: int) -> Transcript:
        async with self._pool.acquire() as conn:
            conv = await access_conversation(conn, actor, conversation_id, Access.READ)
            history = await messages.after(conn, conv.id, after_seq, include_staff=actor.is_staff)
        if actor.role == Role.SEEKER and conv.status != ConversationStatus.ENDED:
            actor.conversation_id = conv.id
        return Transcript(conv, tuple(history))

    async def erase(self, actor: Actor, conversation_id: str) -> Erased:
        """A seeker erases their own conversation (ending it first if it is still open)."""
        async with self._pool.acquire() as conn:
            conv = await access_conversation(conn, actor, conversation_id, Access.WRITE)
            if conv.status != ConversationStatus.ENDED:
                ended = await conversations.end(conn, conv.id, Sender.SEEKER, "erased by seeker")
                if ended is not None:
                    await self.after_end(conv, by=Sender.SEEKER, reason="erased by seeker")
            erased = await retention.erase_conversation(conn, conv.id)
        if actor.conversation_id == conv.id:
            actor.conversation_id = None
        return Erased(erased)

    async def block_seeker(self, actor: Actor, conversation_id: str) -> Blocked:
        """Staff stop a seeker session from opening new chats (the current one goes on)."""
        async with self._pool.acquire() as conn, conn.transaction():
            conv = await access_conversation(conn, actor, conversation_id, Access.MODERATE)
            await seekers.block(conn, conv.seeker_id)
            await audit.record(
                conn, actor_id=actor.id, actor_role=actor.role, action="block_seeker", conversation_id=conv.id
            )
        return Blocked()

    async def listener_conversations(self, actor: Actor) -> Conversations:
        """A listener's console after a reload or a reconnect: what they are responding to now."""
        async with self._pool.acquire() as conn:
            active = await conversations.active_for_listener(conn, actor.id)
        return Conversations(tuple(active))

    async def end_chat(self, actor: Actor, conversation_id: str, *, reason: str | None = None) -> Conversation:
        async with self._pool.acquire() as conn:
            conv = await access_conversation(conn, actor, conversation_id, Access.WRITE)
            if conv.status == ConversationStatus.ENDED:
                raise conflict("the conversation has already ended")
            ended = await conversations.end(conn, conv.id, _sender(actor), reason or f"ended by {_sender(actor)}")
        if ended is None:
            raise conflict("the conversation has already ended")
        await self.after_end(conv, by=_sender(actor), reason=reason or f"ended by {_sender(actor)}")
        return ended

    async def after_end(self, conv: Conversation, *, by: str, reason: str) -> None:
        """Tell everyone and free the responder's slot; ``conv`` is the state before it ended."""
        await self._notify.conversation(conv, "chat_ended", {"conversation_id": conv.id, "by": by, "reason": reason})
        if conv.status == ConversationStatus.QUEUED:
            await best_effort(self._queue.remove(conv.id), "removing an ended conversation from the queue")
        elif conv.listener_id:
            await best_effort(self._assignments.release(conv.listener_id), "releasing a listener's slot")


def _sender(actor: Actor) -> str:
    return Sender.SUPERVISOR if actor.is_supervisor else actor.role


def _sender_name(actor: Actor) -> str | None:
    """Stored with each message, so a later take-over does not relabel earlier words; seekers stay anonymous."""
    return actor.display_name if actor.is_staff else None


__all__ = ["ChatService", "ProtocolError"]
