"""The supervisor alert channel: raise, announce, acknowledge, resolve, re-announce, page.

Promise 1 of the design: no crisis goes unseen. An escalation is stored in the same transaction as
the message that caused it, announced to every supervisor on every process, re-announced until
someone acknowledges it, and paged out (webhook) when nobody is online or nobody answers.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

import aiohttp
import asyncpg

from escalation.detector import Assessment, Detector
from escalation.policy import should_escalate
from escalation.webhook import page_body, post_page
from matching.presence import Seen
from matching.queue import WaitingQueue
from server.effects import best_effort
from server.errors import conflict, forbidden, not_found
from server.metrics import ESCALATIONS, PAGES
from server.notify import Notifier
from server.sessions import Actor
from server.store import audit, conversations, escalations
from server.store.conversations import Conversation
from server.store.escalations import Escalation
from server.store.messages import Message

log = logging.getLogger(__name__)


def _risk(escalation: Escalation) -> dict[str, Any]:
    """The listener's ``risk`` event for an escalation in their conversation."""
    return {
        "conversation_id": escalation.conversation_id,
        "category": escalation.category,
        "severity": escalation.severity,
        "escalation_id": escalation.id,
    }


class AlertChannel:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        detector: Detector,
        resources: dict[str, list[dict[str, Any]]],
        queue: WaitingQueue,
        supervisors: Seen,
        notifier: Notifier,
        realert_s: float,
        page_after_s: float,
        webhook_url: str | None,
        dashboard_url: str | None,
    ) -> None:
        self._pool = pool
        self._detector = detector
        self._resources = resources
        self._queue = queue
        self._supervisors = supervisors
        self._notify = notifier
        self._realert_s = realert_s
        self._page_after_s = page_after_s
        self._webhook_url = webhook_url
        self._dashboard_url = dashboard_url
        self._paging: dict[str, asyncio.Task[None]] = {}
        self._http: aiohttp.ClientSession | None = None
        self.on_queue_raised: Any = None  # set by the app: pair a seeker who moved to the front

    # -- detection (called by the chat for every seeker message) --------------------------------
    def assess(self, window: list[str], language: str) -> Assessment:
        return self._detector.assess(window, language)

    async def record_detection(
        self, conn: asyncpg.Connection, conv: Conversation, message: Message, assessment: Assessment
    ) -> Escalation | None:
        """Inside the message's transaction: the escalation is stored with the words that caused it."""
        assert assessment.severity is not None
        await conversations.raise_severity(conn, conv.id, assessment.severity)
        unresolved = await escalations.unresolved_for(conn, conv.id)
        if not should_escalate([(e.category, e.severity) for e in unresolved], assessment):
            return None
        return await escalations.create(
            conn,
            conversation_id=conv.id,
            source="detector",
            category=assessment.category,
            severity=assessment.severity,
            evidence=[{"text": e.text, "category": e.category, "severity": e.severity} for e in assessment.evidence],
            message_id=message.id,
        )

    async def on_detection(
        self, conv: Conversation, assessment: Assessment, escalation: Escalation | None, *, newest_at_risk: bool
    ) -> None:
        """After commit: resources to the seeker first, then the people who can help.

        Resources go again whenever the newest message itself shows risk, but not for every later
        message that merely shares the detector's window with an earlier crisis message."""
        if escalation is not None or newest_at_risk:
            await self.send_resources(conv)
        if escalation is not None:
            await self._raised(conv, escalation)

    async def send_resources(self, conv: Conversation) -> None:
        resources = self._resources.get(conv.language) or self._resources.get("en") or []
        await self._notify.seeker(
            conv.seeker_id, "crisis_resources", {"conversation_id": conv.id, "resources": resources}
        )

    async def _raised(self, conv: Conversation, escalation: Escalation) -> None:
        ESCALATIONS.labels(escalation.source, escalation.severity).inc()
        await self._notify.supervisors("escalation", escalation.to_wire())
        if conv.listener_id:
            await self._notify.listener(conv.listener_id, "risk", _risk(escalation))
        if conv.status == "queued":
            await best_effort(self._move_forward(conv.id, escalation.severity), "moving a crisis seeker forward")
        if await best_effort(self._supervisors.online_count(), "counting supervisors online") == 0:
            if conv.listener_id:
                await self._notify.listener(
                    conv.listener_id,
                    "notice",
                    {
                        "conversation_id": conv.id,
                        "code": "no_supervisor_online",
                        "message": "No supervisor is online; the on-call pager has been called.",
                    },
                )
            await best_effort(self.page_due(), "paging")

    async def _move_forward(self, conversation_id: str, severity: str) -> None:
        if await self._queue.raise_severity(conversation_id, severity) and self.on_queue_raised is not None:
            await self.on_queue_raised(conversation_id)

    async def redeliver_since(self, since: datetime) -> int:
        """This process was cut off from the others (Redis away) since ``since``: what they announced
        meanwhile never reached its sockets. Every escalation raised since then and not resolved is
        announced again to this process's supervisors, with ``risk`` to its listener if connected here
        (each process does this for its own sockets, so nobody is told twice by the same process)."""
        async with self._pool.acquire() as conn:
            raised = await escalations.unresolved_since(conn, since)
        for escalation, listener_id in raised:
            await self._notify.supervisors("escalation", escalation.to_wire(), local=True)
            if listener_id:
                await self._notify.listener(listener_id, "risk", _risk(escalation), local=True)
        if raised:
            log.warning("re-announced %d escalations raised while Redis was unavailable", len(raised))
        return len(raised)

    # -- listener asks for help ----------------------------------------------------------------
    async def escalate_by_listener(
        self,
        actor: Actor,
        conversation_id: str,
        *,
        reason: str,
        category: str | None,
        severity: str,
        show_resources: bool,
    ) -> dict[str, Any]:
        async with self._pool.acquire() as conn:
            conv = await conversations.get(conn, conversation_id)
            if conv is None:
                raise not_found("no such conversation")
            if conv.listener_id != actor.id:
                raise forbidden()
            if conv.status == "ended":
                raise conflict("the conversation has ended")
            async with conn.transaction():
                await conversations.raise_severity(conn, conv.id, severity)
                escalation = await escalations.create(
                    conn,
                    conversation_id=conv.id,
                    source="listener",
                    category=category,
                    severity=severity,
                    evidence=[],
                    reason=reason,
                    raised_by=actor.id,
                )
        if show_resources:
            await self.send_resources(conv)
        await self._raised(conv, escalation)
        return {"escalation_id": escalation.id}

    # -- supervisors ---------------------------------------------------------------------------
    async def listing(self, status: str | None) -> list[dict[str, Any]]:
        async with self._pool.acquire() as conn:
            return [e.to_wire() for e in await escalations.listing(conn, status)]

    async def acknowledge(self, actor: Actor, escalation_id: str) -> dict[str, Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            before = await escalations.get(conn, escalation_id)
            if before is None:
                raise not_found("no such escalation")
            after = await escalations.acknowledge(conn, escalation_id, actor.id)
            assert after is not None
            changed = before.status == "open"
            if changed:
                await audit.record(
                    conn,
                    actor_id=actor.id,
                    actor_role=actor.role,
                    action="ack",
                    conversation_id=after.conversation_id,
                    escalation_id=escalation_id,
                )
        if changed:
            self._stop_paging(escalation_id)
            await self._notify.supervisors("escalation_update", after.to_wire())
        return {"escalation": after.to_wire()}

    async def resolve(self, actor: Actor, escalation_id: str, outcome: str, note: str) -> dict[str, Any]:
        async with self._pool.acquire() as conn, conn.transaction():
            if await escalations.get(conn, escalation_id) is None:
                raise not_found("no such escalation")
            after = await escalations.resolve(conn, escalation_id, actor.id, outcome, note)
            if after is None:
                raise conflict("the escalation is already resolved")
            await audit.record(
                conn,
                actor_id=actor.id,
                actor_role=actor.role,
                action="resolve",
                conversation_id=after.conversation_id,
                escalation_id=escalation_id,
                detail={"outcome": outcome},
            )
        self._stop_paging(escalation_id)
        await self._notify.supervisors("escalation_update", after.to_wire())
        return {"escalation": after.to_wire()}

    # -- periodic (leader only) ------------------------------------------------------------------
    async def realert_due(self) -> int:
        async with self._pool.acquire() as conn:
            due = await escalations.due_for_realert(conn, self._realert_s)
            if due:
                await escalations.mark_alerted(conn, [e.id for e in due])
        for escalation in due:
            await self._notify.supervisors("escalation", escalation.to_wire())
        return len(due)

    async def page_due(self) -> int:
        """Start paging escalations nobody answers; each is retried until the pager says 2xx."""
        if not self._webhook_url:
            return 0
        nobody_online = await self._supervisors.online_count() == 0
        async with self._pool.acquire() as conn:
            due = await escalations.due_for_page(conn, self._page_after_s, nobody_online)
        started = 0
        for escalation in due:
            if escalation.id in self._paging:
                continue
            async with self._pool.acquire() as conn:
                if not await escalations.claim_page(conn, escalation.id):
                    continue  # another process is paging it
            self._paging[escalation.id] = asyncio.create_task(self._page(escalation))
            started += 1
        return started

    async def _page(self, escalation: Escalation) -> None:
        """Retry with backoff until the pager answers 2xx, keeping the claim fresh meanwhile."""
        assert self._webhook_url is not None
        if self._http is None:
            self._http = aiohttp.ClientSession()
        body = page_body(escalation.to_wire(), self._dashboard_url)
        delay = 0.5
        try:
            while True:
                delivered = await post_page(self._http, self._webhook_url, body)
                PAGES.labels("delivered" if delivered else "failed").inc()
                if delivered:
                    async with self._pool.acquire() as conn:
                        await escalations.mark_paged(conn, escalation.id)
                    log.info("paged escalation=%s", escalation.id)
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                async with self._pool.acquire() as conn:
                    await escalations.claim_page(conn, escalation.id, renew=True)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "paging escalation=%s stopped; another attempt follows when the claim goes stale", escalation.id
            )
        finally:
            self._paging.pop(escalation.id, None)

    def _stop_paging(self, escalation_id: str) -> None:
        task = self._paging.pop(escalation_id, None)
        if task is not None:
            task.cancel()

    async def close(self) -> None:
        for task in list(self._paging.values()):
            task.cancel()
        self._paging.clear()
        if self._http is not None:
            await self._http.close()
            self._http = None
