"""The local-first Socket.IO manager: every member of a room, on every process, gets each event once."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest
import redis.asyncio as aioredis

from tests.support import Client, ServerProcess, create_user, login, metric_value, metrics_text, post_json, seeker_token


@pytest.fixture
def two_processes(backends):
    env = backends.server_env(RATE_LIMIT_EVENTS_PER_SOCKET="1000/second")  # bursts of 30 messages
    servers = [ServerProcess(env).start() for _ in range(2)]
    yield servers
    for s in servers:
        s.stop()


def _client_ids(client: Client) -> Counter[str]:
    return Counter(m["client_id"] for m in client.events["message"])


async def test_room_members_on_both_processes_get_each_message_exactly_once(two_processes, backends) -> None:
    a, b = two_processes
    name = f"lee-{uuid.uuid4().hex[:8]}"
    await create_user(backends.database_url, name)
    token = await login(a.base_url, name)
    # The same listener on both processes: their identity room has a member on each.
    listener_b = await Client(b.base_url, "/listener", token).connect()
    listener_a = await Client(a.base_url, "/listener", token).connect()
    await listener_b.ok("set_status", {"status": "available"})
    seeker = await Client(a.base_url, "/seeker", await seeker_token(a.base_url)).connect()
    ack = await seeker.ok("request_chat", {"topic": "talk", "language": "en"})
    cid = ack["conversation_id"]
    await listener_a.wait_for("assigned")
    await listener_b.wait_for("assigned")

    sent = [f"s-{i}" for i in range(30)]
    for client_id in sent:
        await seeker.ok("message", {"conversation_id": cid, "client_id": client_id, "text": "an invented line"})
    replies = [f"l-{i}" for i in range(30)]
    for client_id in replies:
        await listener_b.ok("message", {"conversation_id": cid, "client_id": client_id, "text": "an invented reply"})

    await listener_a.wait_for("message", lambda m: m["client_id"] == sent[-1])
    await listener_b.wait_for("message", lambda m: m["client_id"] == sent[-1])
    await seeker.wait_for("message", lambda m: m["client_id"] == replies[-1])
    await asyncio.sleep(0.3)  # a duplicate would arrive by now
    assert _client_ids(listener_b) == Counter(sent)  # the sender's own socket never gets its replies
    assert _client_ids(listener_a) == Counter(sent + replies)
    assert _client_ids(seeker) == Counter(replies)
    for c in (seeker, listener_a, listener_b):
        await c.close()


async def test_directory_forgets_a_process_once_its_last_member_leaves(two_processes, backends) -> None:
    a, _ = two_processes
    status, body = await post_json(a.base_url, "/api/seekers", {})
    assert status == 201
    seeker = await Client(a.base_url, "/seeker", body["token"]).connect()
    key = f"{{pl}}:sio:room:/seeker:seeker:{body['seeker_id']}"
    r = aioredis.Redis.from_url(backends.redis_url, decode_responses=True)
    try:
        assert len(await r.smembers(key)) == 1  # recorded before the connect finished
        await seeker.close()
        for _ in range(50):
            if not await r.smembers(key):
                break
            await asyncio.sleep(0.1)
        assert await r.smembers(key) == set()
    finally:
        await r.aclose()


async def _emit_counts(server: ServerProcess) -> dict[str, float]:
    text = await metrics_text(server)
    return {path: metric_value(text, "peerline_socket_emits_total", path=path) for path in ("local", "routed")}


async def test_an_emit_with_no_member_elsewhere_makes_no_redis_call(backends) -> None:
    """One process: the seeker's, the listener's and the empty watch room have no member on another
    process, so once the directory has settled a message is delivered with no Redis routing at all."""
    server = ServerProcess(backends.server_env(RATE_LIMIT_EVENTS_PER_SOCKET="1000/second")).start()
    try:
        name = f"lee-{uuid.uuid4().hex[:8]}"
        await create_user(backends.database_url, name)
        listener = await Client(server.base_url, "/listener", await login(server.base_url, name)).connect()
        await listener.ok("set_status", {"status": "available"})
        seeker = await Client(server.base_url, "/seeker", await seeker_token(server.base_url)).connect()
        cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
        await listener.wait_for("assigned")
        routed_during_round = None
        for round_no in range(40):  # the directory settles within two heartbeats of a cold start
            before = await _emit_counts(server)
            for i in range(10):
                client_id = f"m-{round_no}-{i}"
                await seeker.ok("message", {"conversation_id": cid, "client_id": client_id, "text": "an invented line"})
                await listener.wait_for("message", lambda m, c=client_id: m["client_id"] == c)
            after = await _emit_counts(server)
            routed_during_round = after["routed"] - before["routed"]
            if routed_during_round == 0:
                assert after["local"] - before["local"] >= 30  # three rooms per message, all local
                break
            await asyncio.sleep(0.5)
        assert routed_during_round == 0
        for c in (seeker, listener):
            await c.close()
    finally:
        server.stop()
