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

from escalation.detector import UNKNOWN_RISK, Assessment
from escalation.offload import AssessmentWorker
from escalation.policy import should_escalate
from matching.presence import Seen
from matching.queue import WaitingQueue
from server.domain.access import Access, access_conversation, access_escalation
from server.domain.notify import Notifier
from server.domain.paging import page_body, post_page
from server.domain.results import Escalated, EscalationChanged, Escalations
from server.effects import best_effort
from server.errors import conflict, not_found
from server.metrics import DETECTOR_DEGRADED, DETECTOR_UNKNOWN, ESCALATIONS, PAGES, WATCH_HINTS
from server.security.sessions import Actor
from server.store import audit, conversations, escalations
from server.store.conversations import Conversation
from server.store.escalations import Escalation, Recorded
from server.store.messages import Message
from server.vocabulary import ConversationStatus, EscalationSource, EscalationStatus

log = logging.getLogger(__name__)

UNKNOWN_RISK_REASON = "unknown risk: the detector failed on this message, so nothing assessed it"


class AlertChannel:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        assessor: AssessmentWorker,
        resources: dict[str, list[dict[str, Any]]],
        guide: dict[str, Any] | None = None,
        queue: WaitingQueue,
        supervisors: Seen,
        notifier: Notifier,
        realert_s: float,
        page_after_s: float,
        webhook_url: str | None,
        dashboard_url: str | None,
    ) -> None:
        self._pool = pool
        self._assessor = assessor
        self._resources = resources
        self._guide = guide
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
    async def assess(
        self, window: list[str], language: str, *, wait: bool = True
    ) -> tuple[Assessment, asyncio.Future[Assessment] | None]:
        """Off the event loop, in the detector worker; every loaded language is checked whatever
        ``language`` says (see ``Detector.assess``). When the worker is late, the rules' verdict and
        the model's review still to come (``AssessmentWorker.assess_or_defer``; ``wait=False``: so at
        once, for a caller holding a lock). Never raises: a failure
        of the whole detector is an "unknown risk" escalation, never a silent "no risk"."""
        review: asyncio.Future[Assessment] | None = None
        try:
            verdict, review = await self._assessor.assess_or_defer(window, wait=wait)
        except Exception as exc:
            log.error("the detector failed (%s); the message alerts as unknown risk", type(exc).__name__)
            verdict = UNKNOWN_RISK
        if verdict.degraded:
            DETECTOR_DEGRADED.inc()
        if verdict.unknown:
            DETECTOR_UNKNOWN.inc()
        return verdict, review

    async def record_detection(
        self, conn: asyncpg.Connection, conv: Conversation, message: Message, assessment: Assessment
    ) -> Recorded:
        """Inside the message's transaction: the escalation is stored with the words that caused it.

        When the policy says the hit is no new escalation (one is open for this crisis already), its
        words still reach the supervisor: they join the open escalation's evidence, and its severity
        rises when the new message is more serious ("pills in my hand, now")."""
        if assessment.severity is None:
            raise ValueError("an escalating assessment must have a severity")
        await conversations.raise_severity(conn, conv.id, assessment.severity)
        evidence = [
            {"text": e.text, "category": e.category, "severity": e.severity, "source": e.source}
            for e in assessment.evidence
        ]
        unresolved = await escalations.unresolved_for(conn, conv.id)
        if should_escalate([(e.category, e.severity) for e in unresolved], assessment):
            created = await escalations.create(
                conn,
                conversation_id=conv.id,
                source=EscalationSource.DETECTOR,
                category=assessment.category,
                severity=assessment.severity,
                evidence=evidence,
                message_id=message.id,
                reason=UNKNOWN_RISK_REASON if assessment.unknown else None,
            )
            return Recorded(created=created)
        if not unresolved:
            return Recorded()
        newest_first = sorted(unresolved, key=lambda e: e.created_at, reverse=True)
        target = next((e for e in newest_first if e.category == assessment.category), newest_first[0])
        # Only explicit phrases (the rules') extend an open escalation: the model's phrases are its reading
        # of the whole window and shift with it, so the same words again would look like news.
        explicit = [e for e in evidence if e["source"] == "rules"]
        updated = await escalations.add_evidence(conn, target.id, explicit, assessment.severity)
        if updated is None:
            return Recorded()
        return Recorded(updated=updated, rose=updated.severity != target.severity)

    async def on_detection(
        self, conv: Conversation, assessment: Assessment, recorded: Recorded, *, newest_at_risk: bool
    ) -> None:
        """After commit: resources to the seeker first, then the people who can help.

        Resources go again whenever the newest message itself shows risk, but not for every later
        message that merely shares the detector's window with an earlier crisis message. An "unknown
        risk" (the detector failed) calls the people who can help but shows the seeker nothing."""
        shown = not assessment.unknown and (recorded.created is not None or newest_at_risk)
        if shown:
            await self.send_resources(conv)
        if recorded.created is not None:
            await self._raised(conv, recorded.created, resources_shown=shown)
        elif recorded.updated is not None:
            await self._notify.supervisors("escalation_update", recorded.updated.to_wire())
            if recorded.rose and conv.listener_id:
                await self._notify.listener(conv.listener_id, "risk", self.risk_brief(recorded.updated))

    async def on_watch(self, conv: Conversation, message: Message, assessment: Assessment) -> None:
        """Below the alert threshold but above watch: a quiet hint to the listener alone. The seeker
        sees nothing and no supervisor is called; the listener decides whether to ask or escalate."""
        if conv.listener_id is None:
            return
        WATCH_HINTS.inc()
        await self._notify.listener(
            conv.listener_id,
            "risk_hint",
            {
                "conversation_id": conv.id,
                "seq": message.seq,
                "category": assessment.category,
                "probability": None if assessment.risk is None else round(assessment.risk, 2),
                "message": "This may be risk. Consider asking directly, and escalate if you are unsure.",
            },
        )

    async def send_resources(self, conv: Conversation) -> None:
        resources = self._resources.get(conv.language) or self._resources.get("en") or []
        await self._notify.seeker(
            conv.seeker_id, "crisis_resources", {"conversation_id": conv.id, "resources": resources}
        )

    async def _raised(self, conv: Conversation, escalation: Escalation, *, resources_shown: bool = True) -> None:
        ESCALATIONS.labels(escalation.source, escalation.severity).inc()
        await self._notify.supervisors("escalation", escalation.to_wire())
        if conv.listener_id:
            await self._notify.listener(
                conv.listener_id, "risk", self.risk_brief(escalation, resources_shown=resources_shown)
            )
        if conv.status == ConversationStatus.QUEUED:
            await best_effort(self._move_forward(conv.id, escalation.severity), "moving a crisis seeker forward")
        if await best_effort(self._supervisors.online_count(), "counting supervisors online") == 0:
            await best_effort(self.page_due(), "paging")
            if conv.listener_id:
                await self._notify.listener(conv.listener_id, "notice", self.no_supervisor_notice(conv.id))

    def no_supervisor_notice(self, conversation_id: str) -> dict[str, Any]:
        """Says what really happened: a page is only claimed when a pager is configured."""
        paging = bool(self._webhook_url)
        text = (
            "No supervisor is online right now. The on-call supervisor is being paged; stay with the seeker meanwhile."
            if paging
            else "No supervisor is online right now, and no pager is set up, so nobody else has been alerted."
            " Stay with the seeker; if their life is in danger now, help them call emergency services."
        )
        return {"conversation_id": conversation_id, "code": "no_supervisor_online", "message": text, "paging": paging}

    def risk_brief(self, escalation: Escalation, *, resources_shown: bool = True) -> dict[str, Any]:
        """What a listener needs at the moment risk is flagged: which words raised it, whether the seeker
        was shown resources, and a short crisis guide for peers (configurable text)."""
        return {
            "conversation_id": escalation.conversation_id,
            "category": escalation.category,
            "severity": escalation.severity,
            "escalation_id": escalation.id,
            "message_id": escalation.message_id,
            "evidence": [e.get("text", "") for e in escalation.evidence],
            "resources_shown": resources_shown,
            "status": escalation.status,
            "guide": self._guide,
        }

    async def _tell_listener(self, escalation: Escalation) -> None:
        """The listener in the chat learns when a supervisor acknowledged (or resolved) its escalation."""
        if escalation.conversation_id is None:  # a support group's: its facilitators were told by the group service
            return
        async with self._pool.acquire() as conn:
            conv = await conversations.get(conn, escalation.conversation_id)
        if conv is not None and conv.listener_id:
            await self._notify.listener(
                conv.listener_id,
                "escalation_status",
                {
                    "conversation_id": conv.id,
                    "escalation_id": escalation.id,
                    "status": escalation.status,
                    "acknowledged_by": (
                        {"display_name": escalation.acknowledged_by_name} if escalation.acknowledged_by_name else None
                    ),
                },
            )

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
                await self._notify.listener(listener_id, "risk", self.risk_brief(escalation), local=True)
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
    ) -> Escalated:
        async with self._pool.acquire() as conn:
            conv = await access_conversation(conn, actor, conversation_id, Access.MODERATE)
            if conv.status == ConversationStatus.ENDED:
                raise conflict("the conversation has ended")
            async with conn.transaction():
                await conversations.raise_severity(conn, conv.id, severity)
                escalation = await escalations.create(
                    conn,
                    conversation_id=conv.id,
                    source=EscalationSource.LISTENER,
                    category=category,
                    severity=severity,
                    evidence=[],
                    reason=reason,
                    raised_by=actor.id,
                )
        if show_resources:
            await self.send_resources(conv)
        await self._raised(conv, escalation, resources_shown=show_resources)
        return Escalated(escalation.id)

    # -- supervisors ---------------------------------------------------------------------------
    async def listing(self, status: str | None) -> Escalations:
        async with self._pool.acquire() as conn:
            return Escalations(tuple(await escalations.listing(conn, status)))

    async def acknowledge(self, actor: Actor, escalation_id: str) -> EscalationChanged:
        async with self._pool.acquire() as conn, conn.transaction():
            before = await access_escalation(conn, actor, escalation_id)
            after = await escalations.acknowledge(conn, escalation_id, actor.id)
            if after is None:  # erased meanwhile (its conversation was purged)
                raise not_found("no such escalation")
            changed = before.status == EscalationStatus.OPEN
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
            await self._tell_listener(after)
        return EscalationChanged(after)

    async def stepped_in(self, actor: Actor, conversation_id: str, *, took_over: bool) -> None:
        """A supervisor who joins or takes over a conversation has seen its crisis: its open escalations
        are acknowledged (audited as an ``ack`` by them), so nobody is re-alerted or paged for a chat a
        supervisor is already in. After a take-over every unresolved card is refreshed (no listener now)."""
        async with self._pool.acquire() as conn, conn.transaction():
            acked: list[Escalation] = []
            for open_one in await escalations.open_for(conn, conversation_id):
                after = await escalations.acknowledge(conn, open_one.id, actor.id)
                if after is None:
                    continue
                acked.append(after)
                await audit.record(
                    conn,
                    actor_id=actor.id,
                    actor_role=actor.role,
                    action="ack",
                    conversation_id=conversation_id,
                    escalation_id=open_one.id,
                    detail={"by": "take_over" if took_over else "join"},
                )
            changed = await escalations.unresolved_for(conn, conversation_id) if took_over else acked
        for escalation in acked:
            self._stop_paging(escalation.id)
            if not took_over:  # after a take-over the listener has left the chat
                await self._tell_listener(escalation)
        for escalation in changed:
            await self._notify.supervisors("escalation_update", escalation.to_wire())

    async def resolve(self, actor: Actor, escalation_id: str, outcome: str, note: str) -> EscalationChanged:
        async with self._pool.acquire() as conn, conn.transaction():
            await access_escalation(conn, actor, escalation_id)
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
        await self._tell_listener(after)
        return EscalationChanged(after)

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
        if not self._webhook_url:
            return
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
        await self._assessor.close()
        for task in list(self._paging.values()):
            task.cancel()
        self._paging.clear()
        if self._http is not None:
            await self._http.close()
            self._http = None
