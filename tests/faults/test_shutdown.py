"""SIGTERM: stop taking connections, finish what is in flight, send clients elsewhere, exit in time."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.faults.resilient import ResilientParty, assert_promises, stored_messages
from tests.support import ServerProcess, create_user, login, seeker_token


@pytest.fixture
def cluster(backends):
    env = backends.server_env(SHUTDOWN_GRACE_S="5", REDIS_URL=backends.isolated_redis_url())
    servers = [ServerProcess(env).start() for _ in range(2)]
    yield servers
    for s in servers:
        s.stop()


async def test_sigterm_drains_and_clients_move_on(cluster, backends) -> None:
    await create_user(backends.database_url, "lee")
    base = cluster[0].base_url
    listener = ResilientParty(cluster, "/listener", await login(base, "lee"), prefer=1)
    seeker = ResilientParty(cluster, "/seeker", await seeker_token(base), prefer=0)
    await listener.connect()
    await listener.call("set_status", {"status": "available"})
    await seeker.connect()
    cid = (await seeker.call("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    assert listener.client is not None
    await listener.client.wait_for("assigned")

    async def terminate_soon() -> float:
        while len(seeker.acked) < 10:
            await asyncio.sleep(0.005)
        started = time.monotonic()
        assert cluster[0].stop() == 0  # SIGTERM, clean exit
        return time.monotonic() - started

    stopping = asyncio.create_task(terminate_soon())
    for i in range(30):
        await seeker.send(cid, f"m{i}", f"invented line {i}")
    took = await stopping
    assert took < 5 + 2, f"exit took {took:.1f}s"
    assert seeker.reconnects >= 1
    await seeker.resume(cid)
    await listener.resume(cid)
    stored = await stored_messages(backends.database_url, cid)
    assert [r["client_id"] for r in stored] == [f"m{i}" for i in range(30)]
    assert_promises(stored, [seeker, listener], cid)
    await seeker.close()
    await listener.close()
