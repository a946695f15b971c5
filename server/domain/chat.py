"""The conversation itself: asking for a chat, every message, typing, resuming, ending.

A message is stored (one PostgreSQL transaction, with any escalation it causes) before it is
acknowledged or delivered: the ack means "stored". Rules about who may do what live here, so they
can be tested without a socket.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg

from escalation.detector import Assessment
from escalation.offload import late_review
from matching.queue import WaitingQueue
from server.domain.access import Access, access_conversation
from server.domain.assignments import Assignments, waiting_entry
from server.domain.notify import Notifier
from server.domain.results import Blocked, ChatRequested, Conversations, Erased, StoredMessage, Transcript
from server.domain.seeker_windows import SeekerWindow, SeekerWindows
from server.effects import best_effort
from server.errors import ProtocolError, conflict, forbidden, invalid, not_found
from server.metrics import LATE_ESCALATIONS, MESSAGES
from server.security.sessions import Actor
from server.store import audit, conversations, escalations, messages, retention, seekers
from server.store.conversations import Conversation
from server.store.escalations import Escalation, Recorded
from server.store.messages import Message
from server.vocabulary import ConversationStatus, Role, Sender, Visibility

log = logging.getLogger(__name__)


class RiskHandler(Protocol):
    """What the chat needs from the escalation side (``server.domain.alerts.AlertChannel``)."""

    async def assess(
        self, window: list[str], language: str, *, wait: bool = True
    ) -> tuple[Assessment, asyncio.Future[Assessment] | None]: ...

    async def record_detection(
        self, conn: asyncpg.Connection, conv: Conversation, message: Message, assessment: Assessment
    ) -> Recorded: ...

    async def on_detection(
        self, conv: Conversation, assessment: Assessment, recorded: Recorded, *, newest_at_risk: bool
    ) -> None: ...

    async def on_watch(self, conv: Conversation, message: Message, assessment: Assessment) -> None: ...

    def risk_brief(self, escalation: Escalation) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Assessed:
    """A verdict on a window that ends with the new message, taken before that message is stored."""

    assessment: Assessment
    newest_index: int  # the new message's place in the window
    review: asyncio.Future[Assessment] | None = None  # the model's verdict, still to come (the rules answered)

    @property
    def newest_at_risk(self) -> bool:
        """The new message itself shows risk (not only an earlier one in the window)."""
        return _shows_risk(self.assessment, self.newest_index)

    def drop_review(self) -> None:
        """Nobody will act on the model's late verdict (a retry, or assessed again): the worker skips it."""
        if self.review is not None:
            self.review.cancel()


@dataclass(frozen=True, slots=True)
class Stored:
    message: Message
    assessed: Assessed | None
    recorded: Recorded
    window: SeekerWindow | None  # a seeker's: the window the message was assessed on

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
        self._windows = SeekerWindows(detector_window - 1)
        self._reviews: set[asyncio.Task[None]] = set()

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
                    if text is not None:  # the conversation is new: no earlier seeker message to assess with
                        stored = await self._store(
                            conn,
                            conv,
                            actor,
                            client_id or f"first-{uuid.uuid4()}",
                            text,
                            Visibility.ALL,
                            assessed,
                            SeekerWindow((), 0),
                        )
                        conv = await conversations.get(conn, conv.id) or conv
            except conversations.AlreadyOpen:
                open_now = await conversations.open_for_seeker(conn, actor.id)
                # The open conversation's id lets a client whose first request's ack was lost resume it.
                raise conflict(
                    "you already have an open conversation", conversation_id=open_now.id if open_now else None
                ) from None
        actor.conversation_id = conv.id
        if stored is not None:
            self._after_stored(conv.id, stored.window, text or "", stored.message, stored.assessed)
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
        """Most messages take one statement; a message that shows risk takes the transactional path,
        which stores it together with its escalation.

        A seeker's message is assessed *before* it is stored, off the event loop (``escalation.offload``),
        on the window of the seeker's previous messages kept in this process (``seeker_windows``), so a
        stored seeker message always has its verdict: there is no gap for a crash to fall into. The
        statement writes only if that window is still current; if another process stored a message for
        this seeker meanwhile, the window is rebuilt from PostgreSQL and the message assessed again."""
        for _ in range(2):
            window = await self._seeker_window(conversation_id) if actor.role == Role.SEEKER else None
            assessed = await self._assess([*window.texts, text], "") if window is not None else None
            async with self._pool.acquire() as conn:
                if assessed is not None and assessed.assessment.escalate:
                    return await self._post_locked(
                        conn, actor, conversation_id, client_id, text, visibility, assessed, window
                    )
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
                        newest_seeker_seq=window.newest_seq if window is not None else None,
                    )
                except asyncpg.UniqueViolationError:  # a concurrent retry of the same client_id won the race
                    return await self._post_locked(
                        conn, actor, conversation_id, client_id, text, visibility, assessed, window
                    )
            if not posted.stale:
                break
            self._windows.forget(conversation_id)  # another process stored this seeker's message meanwhile
            if assessed is not None:
                assessed.drop_review()
        else:  # two processes keep racing for one seeker: decide under the conversation's lock
            async with self._pool.acquire() as conn:
                return await self._post_locked(conn, actor, conversation_id, client_id, text, visibility, None, None)
        if posted.conversation is None:
            raise not_found("no such conversation")
        if not posted.allowed:
            raise forbidden()
        if posted.message is None:
            raise conflict("the conversation has ended")
        if posted.duplicate:  # a safe retry acks its first copy and is not delivered again
            self._windows.forget(conversation_id)  # the first copy may have been stored by another process
            if assessed is not None:
                assessed.drop_review()  # the first copy had its own
        else:
            self._after_stored(conversation_id, window, text, posted.message, assessed)
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

    async def _seeker_window(self, conversation_id: str) -> SeekerWindow:
        window = self._windows.get(conversation_id)
        if window is None:  # first message since this process started, or evicted: rebuild from PostgreSQL
            async with self._pool.acquire() as conn:
                window = await self._stored_window(conn, conversation_id)
        return window

    async def _stored_window(self, conn: asyncpg.Connection, conversation_id: str) -> SeekerWindow:
        texts, newest = await messages.recent_seeker_texts(conn, conversation_id, self._windows.size)
        return SeekerWindow(tuple(texts), newest)

    def _after_stored(
        self,
        conversation_id: str,
        window: SeekerWindow | None,
        text: str,
        message: Message,
        assessed: Assessed | None,
    ) -> None:
        """A seeker's message is stored: its window is kept (only now, never for a conversation the
        caller may not write to), and a verdict the rules gave in the model's place gets its review."""
        if window is not None:
            self._windows.stored(conversation_id, window, text, message.seq)
        self._review_later(conversation_id, message, assessed)

    async def _assess(self, window: list[str], language: str, *, wait: bool = True) -> Assessed:
        assessment, review = await self._risk.assess(window, language, wait=wait)
        return Assessed(assessment, len(window) - 1, review)

    def _review_later(self, conversation_id: str, message: Message, assessed: Assessed | None) -> None:
        """The rules answered in the model's place (the detector worker was late): when the model's own
        verdict comes, a risk the rules missed is escalated then, on the message already stored."""
        if assessed is None or assessed.review is None:
            return
        task = asyncio.create_task(self._reviewed(conversation_id, message, assessed, assessed.review))
        self._reviews.add(task)
        task.add_done_callback(self._reviews.discard)

    async def _reviewed(
        self, conversation_id: str, message: Message, first: Assessed, review: asyncio.Future[Assessment]
    ) -> None:
        verdict = await late_review(review, "a message")
        if verdict is None or not verdict.escalate or first.assessment.escalate:
            return  # nothing the rules missed (their alert, if any, stands with its explicit words)
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                conv = await conversations.get(conn, conversation_id, lock=True)
                if conv is None:
                    return  # erased meanwhile
                recorded = await self._risk.record_detection(conn, conv, message, verdict)
        except Exception as exc:
            log.error("a late escalation could not be stored (%s)", type(exc).__name__)
            return
        LATE_ESCALATIONS.inc()
        await self._risk.on_detection(conv, verdict, recorded, newest_at_risk=_shows_risk(verdict, first.newest_index))

    async def _post_locked(
        self,
        conn: asyncpg.Connection,
        actor: Actor,
        conversation_id: str,
        client_id: str,
        text: str,
        visibility: str,
        assessed: Assessed | None,
        window: SeekerWindow | None,
    ) -> StoredMessage:
        async with conn.transaction():
            conv = await access_conversation(conn, actor, conversation_id, Access.WRITE, lock=True)
            existing = await messages.by_client_id(conn, conv.id, actor.id, client_id)
            if existing is not None:
                return StoredMessage(existing)  # a safe retry: the first copy, delivered once
            if conv.status == ConversationStatus.ENDED:
                raise conflict("the conversation has ended")
            if window is not None and await messages.newest_seeker_seq(conn, conv.id) != window.newest_seq:
                window = None  # the seeker wrote through another process meanwhile: assess on the stored window
            stored = await self._store(conn, conv, actor, client_id, text, visibility, assessed, window)
        self._after_stored(conv.id, stored.window, text, stored.message, stored.assessed)
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
        window: SeekerWindow | None,
    ) -> Stored:
        """Inside the caller's transaction, with the conversation row locked. A seeker's message
        comes assessed on a current ``window``; if not, it is assessed here, before it is stored — by the
        rules at once, the model reviewing it after commit: the lock is never held waiting for the worker."""
        if actor.role == Role.SEEKER and (assessed is None or window is None):
            if assessed is not None:
                assessed.drop_review()  # assessed again below, on the stored window
            window = await self._stored_window(conn, conv.id)
            assessed = await self._assess([*window.texts, text], conv.language, wait=False)
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
        return Stored(message, assessed, recorded, window if actor.role == Role.SEEKER else None)

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
            # a listener's console after a reload: the crisis panel comes back with the chat
            risk = await escalations.unresolved_for(conn, conv.id) if actor.role == Role.LISTENER else None
        if actor.role == Role.SEEKER and conv.status != ConversationStatus.ENDED:
            actor.conversation_id = conv.id
        briefs = None if risk is None else tuple(self._risk.risk_brief(e) for e in risk)
        return Transcript(conv, tuple(history), risk=briefs)

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
        self._windows.forget(conv.id)
        await self._notify.conversation(conv, "chat_ended", {"conversation_id": conv.id, "by": by, "reason": reason})
        if conv.status == ConversationStatus.QUEUED:
            await best_effort(self._queue.remove(conv.id), "removing an ended conversation from the queue")
        elif conv.listener_id:
            await best_effort(self._assignments.release(conv.listener_id), "releasing a listener's slot")


def _shows_risk(assessment: Assessment, index: int) -> bool:
    return any(e.message_index == index for e in assessment.evidence)


def _sender(actor: Actor) -> str:
    return Sender.SUPERVISOR if actor.is_supervisor else actor.role


def _sender_name(actor: Actor) -> str | None:
    """Stored with each message, so a later take-over does not relabel earlier words; seekers stay anonymous."""
    return actor.display_name if actor.is_staff else None


__all__ = ["ChatService", "ProtocolError"]
