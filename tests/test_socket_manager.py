"""The local-first Socket.IO manager: every member of a room, on every process, gets each event once."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import pytest
import redis.asyncio as aioredis

from tests.support import Client, ServerProcess, create_user, login, post_json, seeker_token


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
