"""Putting seekers with listeners: runs the atomic Redis pairing, then records it in PostgreSQL.

Redis chooses (fast, atomic across processes); PostgreSQL decides (``assign`` only moves a
conversation that is still queued). If the two ever disagree — a seeker who left while being
paired, or an index rebuilt after a crash — PostgreSQL wins and the listener's slot is given back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from matching.pairing import Pair, Pairing, TakeRefused
from matching.presence import ListenerPresence
from matching.queue import Waiting, WaitingQueue, now_ms
from server.errors import ProtocolError, conflict, forbidden, not_found
from server.metrics import PAIRING_WAIT, PAIRINGS
from server.notify import Notifier
from server.store import conversations, escalations, messages
from server.store.conversations import Conversation
from server.store.escalations import Escalation

log = logging.getLogger(__name__)


def waiting_entry(conv: Conversation, *, requeued: bool = False) -> Waiting:
    return Waiting(
        conversation_id=conv.id,
        seeker_id=conv.seeker_id,
        topic=conv.topic,
        language=conv.language,
        severity=conv.severity,
        queued_at_ms=int(conv.queued_at.timestamp() * 1000),
        requeued=requeued,
    )


class Assignments:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        queue: WaitingQueue,
        presence: ListenerPresence,
        pairing: Pairing,
        notifier: Notifier,
    ) -> None:
        self._pool = pool
        self._queue = queue
        self._presence = presence
        self._pairing = pairing
        self._notify = notifier
        self._loads = LoadReconciler()
        # set by the app (the alert channel): what a listener is told about a flagged chat's crisis
        self.risk_brief: Callable[[Escalation], dict[str, Any]] | None = None

    async def reconcile_loads(self) -> int:
        states = await self._presence.all()
        async with self._pool.acquire() as conn:
            pg_loads = await conversations.active_load(conn)
        fixes = self._loads.corrections({s.profile.listener_id: s.load for s in states}, pg_loads)
        for listener_id, load in fixes.items():
            await self._presence.set_load(listener_id, load)
            log.warning("corrected a listener's load listener=%s load=%d", listener_id, load)
        if fixes:
            await self.pair_waiting()
        return len(fixes)

    async def pair_waiting(self, *, conversation_id: str = "", listener_id: str = "", limit: int = 100) -> int:
        """Pair as many as can be paired now; returns how many were."""
        paired = 0
        for _ in range(limit):
            pair = await self._pairing.pair_next(conversation_id=conversation_id, listener_id=listener_id)
            if pair is None:
                break
            if await self._record(pair) is not None:
                paired += 1
            if conversation_id:
                break
        return paired

    async def take(self, listener_id: str, conversation_id: str | None) -> dict[str, Any]:
        if conversation_id:
            async with self._pool.acquire() as conn:
                conv = await conversations.get(conn, conversation_id)
            if conv is None:
                raise not_found("no such conversation")
            if conv.status != "queued":
                raise conflict("the conversation is no longer waiting")
        try:
            pair = await self._pairing.take(listener_id, conversation_id or "")
        except TakeRefused as refused:
            raise _take_error(refused.reason) from None
        recorded = await self._record(pair, notify_listener=False)
        if recorded is None:
            raise conflict("the conversation is no longer waiting")
        conv, history, risk = recorded
        return self._assignment(conv, history, risk)

    async def _record(
        self, pair: Pair, *, notify_listener: bool = True
    ) -> tuple[Conversation, list[messages.Message], list[Escalation]] | None:
        """The listener gets the conversation, its messages and any crisis still open in it (a seeker
        flagged while waiting comes first in the queue: the listener who takes them must see why)."""
        try:
            async with self._pool.acquire() as conn:
                conv = await conversations.assign(conn, pair.conversation_id, pair.listener_id)
                history = await messages.after(conn, pair.conversation_id, 0, include_staff=True) if conv else []
                risk = await escalations.unresolved_for(conn, pair.conversation_id) if conv else []
        except BaseException:
            # Could not record: give both sides back so nobody is lost between Redis and PostgreSQL.
            await self._undo(pair)
            raise
        if conv is None:
            await self._presence.release(pair.listener_id)
            return None
        await self._notify.seeker(
            conv.seeker_id,
            "matched",
            {"conversation_id": conv.id, "listener": {"display_name": conv.responder_name}},
        )
        if notify_listener:
            await self._notify.listener(pair.listener_id, "assigned", self._assignment(conv, history, risk))
        PAIRINGS.inc()
        PAIRING_WAIT.observe(pair.waited_ms / 1000)
        log.info("paired conversation=%s listener=%s waited_ms=%d", conv.id, pair.listener_id, pair.waited_ms)
        return conv, history, risk

    def _assignment(
        self, conv: Conversation, history: list[messages.Message], risk: list[Escalation]
    ) -> dict[str, Any]:
        brief = self.risk_brief
        return {
            "conversation": conv.to_wire(),
            "messages": [m.to_wire() for m in history],
            "risk": [brief(e) for e in risk] if brief is not None else [],
        }

    async def _undo(self, pair: Pair) -> None:
        try:
            async with self._pool.acquire() as conn:
                conv = await conversations.get(conn, pair.conversation_id)
            await self._presence.release(pair.listener_id)
            if conv is not None and conv.status == "queued":
                await self._queue.add(waiting_entry(conv, requeued=True))
        except Exception:
            log.exception("could not undo pairing conversation=%s; the reconciler will", pair.conversation_id)

    async def release(self, listener_id: str) -> None:
        """The listener has one conversation fewer: their free slot may serve someone waiting."""
        await self._presence.release(listener_id)
        await self.pair_waiting(listener_id=listener_id)

    async def requeue(self, conv: Conversation, *, reason: str) -> Conversation | None:
        """Back to the front of the queue with the transcript kept (listener gone or taken off)."""
        async with self._pool.acquire() as conn:
            requeued = await conversations.requeue(conn, conv.id)
        if requeued is None:
            return None
        await self._queue.add(waiting_entry(requeued, requeued=True))
        await self._notify.seeker(
            requeued.seeker_id,
            "queue",
            {
                "conversation_id": requeued.id,
                "position": await self._queue.position(requeued.id) or 1,
                "estimated_wait_s": None,
                "reason": reason,
            },
        )
        await self.pair_waiting(conversation_id=requeued.id)
        return requeued

    async def reconcile(self, *, min_age_ms: int = 2000) -> int:
        """Queue in Redis every conversation PostgreSQL says is waiting (after a crash or data loss)."""
        async with self._pool.acquire() as conn:
            queued = await conversations.all_queued(conn)
        added = 0
        cutoff = now_ms() - min_age_ms  # leave conversations that are being queued right now alone
        in_redis = await self._queue.ids()  # one round trip, however long the queue
        for conv in queued:
            entry = waiting_entry(conv)
            if entry.queued_at_ms > cutoff or conv.id in in_redis:
                continue
            if await self._queue.get(conv.id) is None:
                await self._queue.add(entry)
                async with self._pool.acquire() as conn:
                    still = await conversations.get(conn, conv.id)
                if still is None or still.status != "queued":  # paired or ended while we looked
                    await self._queue.remove(conv.id)
                    continue
                added += 1
        if added:
            log.warning("reconciled %d waiting conversations into the queue", added)
        return added


class LoadReconciler:
    """Listener loads in Redis drift only after a crash mid-pairing or a Redis error after commit.

    A mismatch with PostgreSQL seen twice in a row, with the same numbers, is not an in-flight
    pairing (those take milliseconds) and is corrected.
    """

    def __init__(self) -> None:
        self._suspect: dict[str, tuple[int, int]] = {}

    def corrections(self, redis_loads: dict[str, int], pg_loads: dict[str, int]) -> dict[str, int]:
        fixes = {}
        suspect = {}
        for lid, in_redis in redis_loads.items():
            in_pg = pg_loads.get(lid, 0)
            if in_redis != in_pg:
                if self._suspect.get(lid) == (in_redis, in_pg):
                    fixes[lid] = in_pg
                else:
                    suspect[lid] = (in_redis, in_pg)
        self._suspect = suspect
        return fixes


def _take_error(reason: str) -> ProtocolError:
    if reason == "capacity":
        return conflict("you are at your chat limit")
    if reason == "language":
        return forbidden("this conversation is in a language you do not support")
    if reason == "empty":
        return conflict("nobody you can take is waiting")
    if reason == "offline":
        return conflict("set your status first")
    return conflict("the conversation is no longer waiting")
