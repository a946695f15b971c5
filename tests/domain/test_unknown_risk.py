"""A detector that fails outright is an "unknown risk" escalation, never a silent "no risk".

Socket-free: the alert channel on the real PostgreSQL and Redis, with an assessor that raises
(the worker and the rules fallback both failed) in place of the detector worker.
"""

from __future__ import annotations

from collections.abc import Sequence

import socketio
from redis.asyncio import Redis

from escalation.detector import Assessment
from matching.presence import Seen
from matching.queue import WaitingQueue
from server.domain.alerts import UNKNOWN_RISK_REASON, AlertChannel
from server.domain.notify import Notifier
from server.metrics import DETECTOR_DEGRADED, DETECTOR_UNKNOWN
from server.store import conversations, escalations, messages, seekers
from server.store.pool import create_pool


class _Broken:
    """The detector worker whose every path failed, fallback included."""

    async def assess_or_defer(self, window: Sequence[str]) -> tuple[Assessment, None]:
        raise ZeroDivisionError("injected")

    async def close(self) -> None:
        return None


async def test_a_failing_detector_raises_an_unknown_risk_escalation(backends) -> None:
    pool = await create_pool(backends.database_url, size=2)
    redis = Redis.from_url(backends.redis_url, decode_responses=True)
    alerts = AlertChannel(
        pool=pool,
        assessor=_Broken(),  # type: ignore[arg-type]
        resources={},
        queue=WaitingQueue(redis),
        supervisors=Seen(redis, "supervisor"),
        notifier=Notifier(socketio.AsyncServer()),
        realert_s=60,
        page_after_s=60,
        webhook_url=None,
        dashboard_url=None,
    )
    try:
        unknown_before = DETECTOR_UNKNOWN._value.get()
        degraded_before = DETECTOR_DEGRADED._value.get()
        verdict, review = await alerts.assess(["an invented line the detector never read"], "en")
        assert review is None  # nothing to come later: the failure is the verdict
        assert verdict.escalate and verdict.unknown and verdict.degraded
        assert verdict.severity == "high" and verdict.category is None and verdict.evidence == ()
        assert DETECTOR_UNKNOWN._value.get() == unknown_before + 1
        assert DETECTOR_DEGRADED._value.get() == degraded_before + 1

        async with pool.acquire() as conn, conn.transaction():
            seeker_id = await seekers.create(conn, "en")
            conv = await conversations.create(conn, seeker_id, "general", "en")
            message = await messages.append(
                conn,
                conversation_id=conv.id,
                client_id="c1",
                sender="seeker",
                sender_id=seeker_id,
                text="an invented line the detector never read",
                visibility="all",
                sender_name=None,
            )
            recorded = await alerts.record_detection(conn, conv, message, verdict)
        assert recorded.created is not None
        await alerts.on_detection(conv, verdict, recorded, newest_at_risk=False)
        async with pool.acquire() as conn:
            stored = await escalations.unresolved_for(conn, conv.id)
            after = await conversations.get(conn, conv.id)
        assert [(e.source, e.category, e.severity, e.reason, e.status) for e in stored] == [
            ("detector", None, "high", UNKNOWN_RISK_REASON, "open")
        ]
        assert after is not None and after.severity == "high"
    finally:
        await alerts.close()
        await redis.aclose()
        await pool.close()
