"""Waiting: queue positions, the listener's queue view, topic fallback, requests while queued."""

from __future__ import annotations

import pytest

from tests.support import Client, ServerProcess, create_user, login, seeker_token


@pytest.fixture
def fast_fallback_server(backends):
    server = ServerProcess(
        backends.server_env(MATCH_TOPIC_WAIT_S="1.5", REDIS_URL=backends.isolated_redis_url())
    ).start()
    yield server
    server.stop()


async def test_positions_and_listener_queue_view(live_server, backends) -> None:
    base = live_server.base_url
    await create_user(backends.database_url, "quinn", topics=("grief",), languages=("en",))
    listener = await Client(base, "/listener", await login(base, "quinn")).connect()
    seekers = [await Client(base, "/seeker", await seeker_token(base)).connect() for _ in range(3)]
    cids = []
    for i, s in enumerate(seekers):
        ack = await s.ok("request_chat", {"topic": "talk", "language": "en"})
        assert ack["position"] == i + 1
        cids.append(ack["conversation_id"])
    es = await Client(base, "/seeker", await seeker_token(base, "es")).connect()
    es_cid = (await es.ok("request_chat", {"topic": "talk", "language": "es"}))["conversation_id"]

    update = await listener.wait_for("queue_update", lambda u: len(u["waiting"]) == 3)
    assert [w["conversation_id"] for w in update["waiting"]] == cids  # no Spanish seeker for an English listener
    assert es_cid not in [w["conversation_id"] for w in update["waiting"]]
    assert set(update["waiting"][0]) == {"conversation_id", "topic", "language", "waited_s", "severity"}

    await seekers[0].ok("end_chat", {"conversation_id": cids[0]})
    moved = await seekers[1].wait_for("queue", lambda q: q["position"] == 1)
    assert moved["conversation_id"] == cids[1] and "estimated_wait_s" in moved
    await seekers[2].wait_for("queue", lambda q: q["position"] == 2)
    # a seeker can write while waiting; the listener sees the history on take
    await seekers[1].ok("message", {"conversation_id": cids[1], "client_id": "w1", "text": "still waiting here"})
    taken = await listener.ok("take", {})
    assert taken["conversation"]["conversation_id"] == cids[1]
    assert [m["text"] for m in taken["messages"]] == ["still waiting here"]
    for c in [listener, es, *seekers]:
        await c.close()


async def test_topic_fallback_after_the_bound(fast_fallback_server, backends) -> None:
    base = fast_fallback_server.base_url
    await create_user(backends.database_url, "gale", topics=("students",))
    listener = await Client(base, "/listener", await login(base, "gale")).connect()
    await listener.ok("set_status", {"status": "available"})
    seeker = await Client(base, "/seeker", await seeker_token(base)).connect()
    ack = await seeker.ok("request_chat", {"topic": "veterans", "language": "en"})
    assert ack["position"] == 1  # no veterans listener: waits first
    matched = await seeker.wait_for("matched", timeout=6)  # then any listener past the bound
    assert matched["conversation_id"] == ack["conversation_id"]
    await listener.wait_for("assigned")
    await seeker.close()
    await listener.close()


async def test_a_seeker_is_told_when_nobody_speaking_their_language_is_available(live_server, backends) -> None:
    """Issue 15: a Spanish seeker with no Spanish-speaking listener online was told only "number 1 in line"."""
    base = live_server.base_url
    await create_user(backends.database_url, "quinn", topics=("talk",), languages=("en",), max_chats=1)
    listener = await Client(base, "/listener", await login(base, "quinn")).connect()
    await listener.ok("set_status", {"status": "available", "max_chats": 1})
    busy = await Client(base, "/seeker", await seeker_token(base)).connect()
    await busy.ok("request_chat", {"topic": "talk", "language": "en"})
    await listener.wait_for("assigned")  # the only listener is now at capacity

    english = await Client(base, "/seeker", await seeker_token(base)).connect()
    spanish = await Client(base, "/seeker", await seeker_token(base, "es")).connect()
    try:
        await english.ok("request_chat", {"topic": "talk", "language": "en"})
        await spanish.ok("request_chat", {"topic": "talk", "language": "es"})
        told = await spanish.wait_for("queue", lambda e: "language_available" in e)
        assert told["language_available"] is False and told["position"] >= 1
        waiting = await english.wait_for("queue", lambda e: "language_available" in e)
        assert waiting["language_available"] is True  # someone speaking English is on duty, only busy
    finally:
        for client in (listener, busy, english, spanish):
            await client.close()
