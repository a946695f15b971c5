"""The domain's rules on what they decide, not on a socket: results as the wire will carry them, the
queue's priority, payload parsing, and why a listener may not take a conversation (that one on the real
PostgreSQL and Redis)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import socketio
from redis.asyncio import Redis

from matching.pairing import Pairing
from matching.presence import ListenerPresence
from matching.priority import score
from matching.queue import WaitingQueue
from server.domain.assignments import Assignments, LoadReconciler
from server.domain.notify import Notifier
from server.domain.results import ListenerOnDuty, ListenerState, OverviewSnapshot, TakenOver, Transcript, wire
from server.edge.gateway import payloads as p
from server.errors import ProtocolError
from server.store import conversations, seekers
from server.store.conversations import Conversation
from server.store.messages import Message
from server.store.pool import create_pool
from server.vocabulary import NO_SEVERITY, Severity

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CONV = Conversation(
    id="c1",
    seeker_id="s1",
    topic="talk",
    language="en",
    status="active",
    severity="none",
    listener_id="l1",
    responder_name="Lee",
    responder_id="l1",
    last_seq=1,
    created_at=NOW,
    queued_at=NOW,
    assigned_at=NOW,
)
LINE = Message("m1", "c1", 1, 0, "k1", "seeker", "s1", "hello", "all", NOW)


# -- results: what the edge serialises ------------------------------------------------------------
def test_a_transcript_is_the_conversation_with_its_messages() -> None:
    assert wire(Transcript(CONV, (LINE,))) == {"conversation": CONV.to_wire(), "messages": [LINE.to_wire()]}
    assert wire(Transcript(CONV, (), taken_over=False))["taken_over"] is False
    assert wire(TakenOver(CONV, None)) == {"conversation": CONV.to_wire(), "taken_over": True, "message": None}
    assert wire({"already": "wire"}) == {"already": "wire"} and wire(None) is None


# -- the queue's order ----------------------------------------------------------------------------
def test_pairing_priority_severity_then_requeued_then_longest_wait() -> None:
    order = sorted(
        [
            ("none, waited longest", score(NO_SEVERITY, 1_000)),
            ("high", score(Severity.HIGH, 5_000)),
            ("imminent, newest", score(Severity.IMMINENT, 9_000)),
            ("high, requeued", score(Severity.HIGH, 8_000, requeued=True)),
            ("high, earlier", score(Severity.HIGH, 4_000)),
        ],
        key=lambda item: item[1],
    )
    assert [name for name, _ in order] == [
        "imminent, newest",
        "high, requeued",
        "high, earlier",
        "high",
        "none, waited longest",
    ]


# -- payloads -------------------------------------------------------------------------------------
ID = str(uuid.uuid4())


@pytest.mark.parametrize(
    ("kind", "payload", "says"),
    [
        (p.SendMessage, ["not", "an", "object"], "payload must be a JSON object"),
        (p.SendMessage, {"conversation_id": "c1", "client_id": "k", "text": "hi"}, "not an id this service issued"),
        (p.SendMessage, {"conversation_id": ID, "client_id": "k", "text": "   "}, "must not be only white space"),
        (p.SendMessage, {"conversation_id": ID, "client_id": "k", "text": "a\x00b"}, "without NUL"),
        (p.Escalate, {"conversation_id": ID, "reason": "r", "severity": "none"}, "Invalid enum value 'none'"),
        (p.Resume, {"conversation_id": ID, "after_seq": "5"}, "Expected `int`, got `str`"),
        (p.SetStatus, {"status": "busy"}, "Invalid enum value 'busy'"),
    ],
)
def test_payloads_refuse_what_the_protocol_does_not_allow(kind: type, payload: object, says: str) -> None:
    with pytest.raises(ProtocolError) as refused:
        p.parse(kind, payload)
    assert refused.value.code == "invalid" and says in refused.value.message


def test_payloads_ignore_unknown_fields_and_take_defaults() -> None:
    parsed = p.parse(p.Escalate, {"conversation_id": ID, "reason": "worried", "extra": 1})
    assert parsed.severity == Severity.HIGH and parsed.category is None and parsed.show_resources is False


# -- take errors ----------------------------------------------------------------------------------
async def test_why_a_listener_may_not_take(backends) -> None:
    pool = await create_pool(backends.database_url, size=2)
    redis = Redis.from_url(backends.redis_url, decode_responses=True)
    queue, presence = WaitingQueue(redis), ListenerPresence(redis)
    assignments = Assignments(
        pool=pool,
        queue=queue,
        presence=presence,
        pairing=Pairing(redis, topic_wait_s=60),
        notifier=Notifier(socketio.AsyncServer()),
    )
    try:
        async with pool.acquire() as conn:
            seeker_id = await seekers.create(conn, "en")
            conv = await conversations.create(conn, seeker_id, "talk", "en")
            ended = await conversations.create(conn, await seekers.create(conn, "en"), "talk", "en")
            await conversations.end(conn, ended.id, "seeker", "test")
        listener_id = str(uuid.uuid4())
        cases = [
            (str(uuid.uuid4()), "not_found", "no such conversation"),
            (ended.id, "conflict", "no longer waiting"),
            (conv.id, "conflict", "set your status first"),  # not online: Redis has no presence for them
        ]
        for conversation_id, code, says in cases:
            with pytest.raises(ProtocolError) as refused:
                await assignments.take(listener_id, conversation_id)
            assert (refused.value.code, says in refused.value.message) == (code, True), conversation_id
    finally:
        await redis.aclose()
        await pool.close()


def test_a_listener_load_is_corrected_only_when_the_same_mismatch_is_seen_twice() -> None:
    """A pairing in flight makes Redis and PostgreSQL disagree for milliseconds: that must not be
    "corrected". The same disagreement at two checks in a row is drift, and PostgreSQL wins."""
    loads = LoadReconciler()
    assert loads.corrections({"a": 2, "b": 1}, {"a": 1, "b": 1}) == {}  # seen once: maybe in flight
    assert loads.corrections({"a": 2, "b": 1}, {"a": 1, "b": 1}) == {"a": 1}  # again: drift
    assert loads.corrections({"a": 3}, {"a": 1}) == {}  # a different mismatch starts over
    assert loads.corrections({"a": 1, "c": 2}, {"a": 1}) == {}  # agreed; c has no row in PostgreSQL yet
    assert loads.corrections({"a": 1, "c": 2}, {"a": 1}) == {"c": 0}  # a load with no open conversation


def test_the_overview_is_a_value_and_its_wire_shape_is_the_protocols() -> None:
    lee = ListenerOnDuty(user_id="u1", display_name="Lee", status="available", load=1, max_chats=3)
    first = OverviewSnapshot(
        queue_length=2, longest_wait_s=40, active_conversations=1, listeners=(lee,), open_escalations=0
    )
    again = OverviewSnapshot(
        queue_length=2, longest_wait_s=40, active_conversations=1, listeners=(lee,), open_escalations=0
    )
    assert first == again  # publish_if_changed sends nothing when nothing changed
    assert wire(first) == {
        "queue_length": 2,
        "longest_wait_s": 40,
        "active_conversations": 1,
        "listeners": [{"user_id": "u1", "display_name": "Lee", "status": "available", "load": 1, "max_chats": 3}],
        "open_escalations": 0,
    }
    assert wire(ListenerState("away", 2)) == {"status": "away", "max_chats": 2}
