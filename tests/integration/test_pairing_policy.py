"""The pairing policy of DESIGN.md, exercised on the real Lua scripts in a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from matching.pairing import Pairing, TakeRefused
from matching.presence import ListenerPresence, ListenerProfile
from matching.queue import Waiting, WaitingQueue, now_ms


@pytest.fixture
async def redis(backends) -> AsyncIterator[aioredis.Redis]:
    """A Redis database of its own: the session's live server shares the default one, and its periodic
    pairing would take this test's queued seekers for this test's listener (seen: c0 paired under it)."""
    r = aioredis.Redis.from_url(backends.isolated_redis_url(), decode_responses=True)
    await r.flushdb()
    yield r
    await r.flushdb()
    await r.aclose()


async def listener(presence: ListenerPresence, lid: str, topics=("talk",), langs=("en",), max_chats=3) -> None:
    await presence.connected(ListenerProfile(lid, lid, "away", max_chats, tuple(topics), tuple(langs)), load=0)
    await presence.set_status(lid, "available", None)


def seeker(cid: str, topic="talk", lang="en", severity="none", waited_s: float = 0.0) -> Waiting:
    return Waiting(cid, f"sk-{cid}", topic, lang, severity, now_ms() - int(waited_s * 1000))


async def test_listener_sharing_the_topic_is_preferred(redis) -> None:
    presence, queue, pairing = ListenerPresence(redis), WaitingQueue(redis), Pairing(redis, topic_wait_s=60)
    await listener(presence, "general", topics=("talk",))
    await listener(presence, "vet", topics=("veterans",))
    await queue.add(seeker("c1", topic="veterans"))
    pair = await pairing.pair_next()
    assert pair is not None and (pair.conversation_id, pair.listener_id) == ("c1", "vet")


async def test_other_topics_only_after_the_wait_bound(redis) -> None:
    presence, queue, pairing = ListenerPresence(redis), WaitingQueue(redis), Pairing(redis, topic_wait_s=60)
    await listener(presence, "general", topics=("talk",))
    await queue.add(seeker("fresh", topic="veterans", waited_s=5))
    assert await pairing.pair_next() is None
    await queue.add(seeker("long", topic="veterans", waited_s=61))
    pair = await pairing.pair_next()
    assert pair is not None and (pair.conversation_id, pair.listener_id) == ("long", "general")
    assert await queue.position("fresh") == 1


async def test_language_is_never_mismatched(redis) -> None:
    presence, queue, pairing = ListenerPresence(redis), WaitingQueue(redis), Pairing(redis, topic_wait_s=0)
    await listener(presence, "en-only", langs=("en",))
    await queue.add(seeker("es-seeker", lang="es", waited_s=3600))
    assert await pairing.pair_next() is None
    with pytest.raises(TakeRefused) as refused:
        await pairing.take("en-only", "es-seeker")
    assert refused.value.reason == "language"
    await listener(presence, "bilingual", langs=("en", "es"))
    pair = await pairing.pair_next()
    assert pair is not None and pair.listener_id == "bilingual"


async def test_capacity_is_never_exceeded(redis) -> None:
    presence, queue, pairing = ListenerPresence(redis), WaitingQueue(redis), Pairing(redis, topic_wait_s=60)
    await listener(presence, "solo", max_chats=2)
    for i in range(5):
        await queue.add(seeker(f"c{i}", waited_s=10 - i))
    paired = []
    while (pair := await pairing.pair_next()) is not None:
        paired.append(pair.conversation_id)
    assert paired == ["c0", "c1"]
    assert await presence.load("solo") == 2
    with pytest.raises(TakeRefused) as refused:
        await pairing.take("solo")
    assert refused.value.reason == "capacity"
    await presence.release("solo")
    pair = await pairing.pair_next()
    assert pair is not None and pair.conversation_id == "c2"


async def test_severity_first_then_longest_wait(redis) -> None:
    presence, queue, pairing = ListenerPresence(redis), WaitingQueue(redis), Pairing(redis, topic_wait_s=60)
    await queue.add(seeker("old-none", waited_s=300))
    await queue.add(seeker("new-high", severity="high", waited_s=1))
    await queue.add(seeker("mid-none", waited_s=100))
    await queue.add(seeker("new-imminent", severity="imminent", waited_s=0))
    await queue.add(seeker("old-high", severity="high", waited_s=50))
    assert [w.conversation_id for w in await queue.snapshot()] == [
        "new-imminent",
        "old-high",
        "new-high",
        "old-none",
        "mid-none",
    ]
    await listener(presence, "one", max_chats=5)
    order = []
    while (pair := await pairing.pair_next()) is not None:
        order.append(pair.conversation_id)
    assert order == ["new-imminent", "old-high", "new-high", "old-none", "mid-none"]


async def test_raising_severity_moves_a_waiting_seeker_forward(redis) -> None:
    queue = WaitingQueue(redis)
    await queue.add(seeker("a", waited_s=100))
    await queue.add(seeker("b", waited_s=10))
    assert await queue.position("b") == 2
    assert await queue.raise_severity("b", "high")
    assert await queue.position("b") == 1
    assert (await queue.get("b")).severity == "high"  # type: ignore[union-attr]


async def test_fair_share_lowest_load_then_longest_idle(redis) -> None:
    presence, queue, pairing = ListenerPresence(redis), WaitingQueue(redis), Pairing(redis, topic_wait_s=60)
    await listener(presence, "amy")
    await listener(presence, "bob")
    await redis.hset("{pl}:idle", mapping={"amy": now_ms() - 1000, "bob": now_ms() - 5000})
    for i in range(4):
        await queue.add(seeker(f"c{i}", waited_s=10 - i))
    got = []
    while (pair := await pairing.pair_next()) is not None:
        got.append(pair.listener_id)
    assert got[:2] == ["bob", "amy"]  # equal load: the longer idle first
    assert sorted(got) == ["amy", "amy", "bob", "bob"]  # then the load stays level
    assert await presence.load("amy") == 2 and await presence.load("bob") == 2


async def test_away_and_disconnected_listeners_get_nobody(redis) -> None:
    presence, queue, pairing = ListenerPresence(redis), WaitingQueue(redis), Pairing(redis, topic_wait_s=60)
    await listener(presence, "leaving")
    await queue.add(seeker("c1"))
    await presence.set_status("leaving", "away", None)
    assert await pairing.pair_next() is None
    await presence.set_status("leaving", "available", None)
    await presence.seen.gone("leaving")
    assert await pairing.pair_next() is None
    await presence.connected(ListenerProfile("leaving", "leaving", "away", 3, ("talk",), ("en",)), load=0)
    pair = await pairing.pair_next()
    assert pair is not None and pair.listener_id == "leaving"  # came back as it was: available
