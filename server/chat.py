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
from matching.queue import WaitingQueue
from server import retention
from server.assignments import Assignments, waiting_entry
from server.effects import best_effort
from server.errors import ProtocolError, conflict, forbidden, invalid, not_found
from server.metrics import LATE_ESCALATIONS, MESSAGES
from server.notify import Notifier
from server.seeker_windows import SeekerWindow, SeekerWindows
from server.sessions import Actor
from server.store import audit, conversations, escalations, messages, seekers
from server.store.conversations import Conversation
from server.store.escalations import Escalation, Recorded
from server.store.messages import Message

log = logging.getLogger(__name__)


class RiskHandler(Protocol):
    """What the chat needs from the escalation side (``escalation.alerts.AlertChannel``)."""

    async def assess(
        self, window: list[str], language: str
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
    newest_at_risk: bool  # the new message itself shows risk (not only an earlier one in the window)
    newest_index: int  # the new message's place in the window
    review: asyncio.Future[Assessment] | None = None  # the model's verdict, still to come (the rules answered)


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
    ) -> dict[str, Any]:
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
                            "all",
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
            self._remember(conv.id, stored.window, text or "", stored.message.seq)
            self._review_later(conv.id, stored.message, stored.assessed)
        queued = await best_effort(self._queue.add(waiting_entry(conv)), "queueing a conversation")
        if stored is not None:
            await stored.report(self._risk, conv)
        if queued is None and not await best_effort(self._queue.contains(conv.id), "queue check"):
            # Stored and waiting in PostgreSQL; Redis is away. The reconciler queues it when Redis is back.
            return {"conversation_id": conv.id, "position": None}
        await best_effort(self._assignments.pair_waiting(conversation_id=conv.id), "pairing")
        position = await best_effort(self._queue.position(conv.id), "queue position")
        actor.last_position = position
        return {"conversation_id": conv.id, "position": position or 0}

    # -- messages --------------------------------------------------------------------------
    async def post_message(
        self, actor: Actor, conversation_id: str, client_id: str, text: str, visibility: str = "all"
    ) -> dict[str, Any]:
        """Most messages take one statement; a message that shows risk takes the transactional path,
        which stores it together with its escalation.

        A seeker's message is assessed *before* it is stored, off the event loop (``escalation.offload``),
        on the window of the seeker's previous messages kept in this process (``seeker_windows``), so a
        stored seeker message always has its verdict: there is no gap for a crash to fall into. The
        statement writes only if that window is still current; if another process stored a message for
        this seeker meanwhile, the window is rebuilt from PostgreSQL and the message assessed again."""
        for _ in range(2):
            window = await self._seeker_window(conversation_id) if actor.role == "seeker" else None
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
                        role="supervisor" if actor.is_supervisor else actor.role,
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
            if assessed is not None and assessed.review is not None:
                assessed.review.cancel()
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
            if assessed is not None and assessed.review is not None:
                assessed.review.cancel()  # the first copy had its own
        else:
            self._remember(conversation_id, window, text, posted.message.seq)
            MESSAGES.labels(posted.message.sender).inc()
            await self._notify.conversation(
                posted.conversation,
                "message",
                posted.message.to_wire(),
                skip_sid=actor.sid,
                staff_only=visibility == "staff",
            )
            if assessed is not None and assessed.assessment.watch:
                await self._risk.on_watch(posted.conversation, posted.message, assessed.assessment)
            self._review_later(conversation_id, posted.message, assessed)
        return {"message": posted.message.to_wire()}

    async def _seeker_window(self, conversation_id: str) -> SeekerWindow:
        window = self._windows.get(conversation_id)
        if window is None:  # first message since this process started, or evicted: rebuild from PostgreSQL
            async with self._pool.acquire() as conn:
                texts, newest = await messages.recent_seeker_texts(conn, conversation_id, self._windows.size)
            window = SeekerWindow(tuple(texts), newest)
        return window

    def _remember(self, conversation_id: str, window: SeekerWindow | None, text: str, seq: int | None) -> None:
        """Kept only once stored (never for a conversation the caller may not write to)."""
        if window is not None:
            self._windows.stored(conversation_id, window, text, seq)

    async def _assess(self, window: list[str], language: str) -> Assessed:
        assessment, review = await self._risk.assess(window, language)
        newest = len(window) - 1
        return Assessed(assessment, _shows_risk(assessment, newest), newest, review)

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
        try:
            verdict = await review
        except asyncio.CancelledError:
            if review.cancelled():
                return  # given up by the worker as too late (counted there)
            raise
        except Exception as exc:
            log.error("the risk model's late review failed (%s)", type(exc).__name__)
            return
        if not verdict.escalate or first.assessment.escalate:
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
    ) -> dict[str, Any]:
        async with conn.transaction():
            conv = await conversations.get(conn, conversation_id, lock=True)
            self._check_access(actor, conv, write=True)
            assert conv is not None
            existing = await messages.by_client_id(conn, conv.id, actor.id, client_id)
            if existing is not None:
                return {"message": existing.to_wire()}  # a safe retry: the first copy, delivered once
            if conv.status == "ended":
                raise conflict("the conversation has ended")
            if window is not None and await messages.newest_seeker_seq(conn, conv.id) != window.newest_seq:
                window = None  # the seeker wrote through another process meanwhile: assess on the stored window
            stored = await self._store(conn, conv, actor, client_id, text, visibility, assessed, window)
        self._remember(conv.id, stored.window, text, stored.message.seq)
        self._review_later(conv.id, stored.message, stored.assessed)
        MESSAGES.labels(stored.message.sender).inc()
        await self._notify.conversation(
            conv, "message", stored.message.to_wire(), skip_sid=actor.sid, staff_only=visibility == "staff"
        )
        await stored.report(self._risk, conv)
        return {"message": stored.message.to_wire()}

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
        comes assessed on a current ``window``; if not, it is assessed here, before it is stored."""
        if actor.role == "seeker" and (assessed is None or window is None):
            texts, newest = await messages.recent_seeker_texts(conn, conv.id, self._windows.size)
            window = SeekerWindow(tuple(texts), newest)
            assessed = await self._assess([*texts, text], conv.language)
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
        return Stored(message, assessed, recorded, window if actor.role == "seeker" else None)

    async def typing(self, actor: Actor, conversation_id: str, is_typing: bool) -> None:
        """A supervisor who only watches (joined, not taken over) is invisible to the seeker, so their
        typing goes to staff only; once they respond (``take_over``) the seeker sees it."""
        conv = await self._conversation_for(actor, conversation_id, write=True)
        if conv.status == "ended":
            raise conflict("the conversation has ended")
        await self._notify.conversation(
            conv,
            "typing",
            {"conversation_id": conv.id, "sender": _sender(actor), "typing": is_typing},
            skip_sid=actor.sid,
            staff_only=actor.is_supervisor and conv.responder_id != actor.id,
        )

    async def resume(self, actor: Actor, conversation_id: str, after_seq: int) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            conv = await conversations.get(conn, conversation_id)
            self._check_access(actor, conv, write=False)
            assert conv is not None
            history = await messages.after(conn, conv.id, after_seq, include_staff=actor.is_staff)
            # a listener's console after a reload: the crisis panel comes back with the chat
            risk = await escalations.unresolved_for(conn, conv.id) if actor.role == "listener" else None
        if actor.role == "seeker" and conv.status != "ended":
            actor.conversation_id = conv.id
        resumed = {"conversation": conv.to_wire(), "messages": [m.to_wire() for m in history]}
        if risk is not None:
            resumed["risk"] = [self._risk.risk_brief(e) for e in risk]
        return resumed

    async def erase(self, actor: Actor, conversation_id: str) -> dict[str, Any]:
        """A seeker erases their own conversation (ending it first if it is still open)."""
        async with self._pool.acquire() as conn:
            conv = await conversations.get(conn, conversation_id)
            self._check_access(actor, conv, write=True)
            assert conv is not None
            if conv.status != "ended":
                ended = await conversations.end(conn, conv.id, "seeker", "erased by seeker")
                if ended is not None:
                    await self.after_end(conv, by="seeker", reason="erased by seeker")
            erased = await retention.erase_conversation(conn, conv.id)
        if actor.conversation_id == conv.id:
            actor.conversation_id = None
        return {"erased_messages": erased}

    async def block_seeker(self, actor: Actor, conversation_id: str) -> dict[str, Any]:
        """Staff stop a seeker session from opening new chats (the current one goes on)."""
        async with self._pool.acquire() as conn, conn.transaction():
            conv = await conversations.get(conn, conversation_id)
            if conv is None:
                raise not_found("no such conversation")
            if not actor.is_supervisor and conv.listener_id != actor.id:
                raise forbidden()
            await seekers.block(conn, conv.seeker_id)
            await audit.record(
                conn, actor_id=actor.id, actor_role=actor.role, action="block_seeker", conversation_id=conv.id
            )
        return {"blocked": True}

    async def listener_conversations(self, actor: Actor) -> dict[str, Any]:
        """A listener's console after a reload or a reconnect: what they are responding to now."""
        async with self._pool.acquire() as conn:
            active = await conversations.active_for_listener(conn, actor.id)
        return {"conversations": [c.to_wire() for c in active]}

    async def end_chat(self, actor: Actor, conversation_id: str, *, reason: str | None = None) -> Conversation:
        async with self._pool.acquire() as conn:
            conv = await conversations.get(conn, conversation_id)
            self._check_access(actor, conv, write=True)
            assert conv is not None
            if conv.status == "ended":
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
        if conv.status == "queued":
            await best_effort(self._queue.remove(conv.id), "removing an ended conversation from the queue")
        elif conv.listener_id:
            await best_effort(self._assignments.release(conv.listener_id), "releasing a listener's slot")

    # -- access ----------------------------------------------------------------------------
    async def _conversation_for(self, actor: Actor, conversation_id: str, *, write: bool) -> Conversation:
        async with self._pool.acquire() as conn:
            conv = await conversations.get(conn, conversation_id)
        self._check_access(actor, conv, write=write)
        assert conv is not None
        return conv

    @staticmethod
    def _check_access(actor: Actor, conv: Conversation | None, *, write: bool) -> None:
        if conv is None:
            raise not_found("no such conversation")
        if actor.role == "seeker":
            allowed = conv.seeker_id == actor.id
        elif actor.role == "listener":
            allowed = conv.listener_id == actor.id
        else:
            # Supervisors read any conversation (audited by the caller); they write only into ones
            # they joined or took over.
            allowed = not write or conv.id in actor.joined or conv.responder_id == actor.id
        if not allowed:
            raise forbidden()


def _shows_risk(assessment: Assessment, index: int) -> bool:
    return any(e.message_index == index for e in assessment.evidence)


def _sender(actor: Actor) -> str:
    return "supervisor" if actor.is_supervisor else actor.role


def _sender_name(actor: Actor) -> str | None:
    """Stored with each message, so a later take-over does not relabel earlier words; seekers stay anonymous."""
    return actor.display_name if actor.is_staff else None


__all__ = ["ChatService", "ProtocolError"]
