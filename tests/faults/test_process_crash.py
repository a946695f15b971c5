"""Processes die at any moment: nothing acked is lost, nothing is stored twice, nobody is dropped."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.resilient import assert_promises, paired, stored_messages
from tests.support import Client, ServerProcess, create_user, login


@pytest.fixture
def cluster(backends):
    env = backends.server_env(LISTENER_GRACE_S="3", SEEKER_GRACE_S="30", REDIS_URL=backends.isolated_redis_url())
    servers = [ServerProcess(env).start() for _ in range(2)]
    yield servers
    for s in servers:
        s.stop()


async def test_sigkill_the_seekers_process_mid_burst(cluster, backends) -> None:
    seeker, listener, cid = await paired(cluster, backends, seeker_on=0, listener_on=1)

    async def killer() -> None:
        while len(seeker.acked) < 15:
            await asyncio.sleep(0.005)
        cluster[0].kill()

    kill = asyncio.create_task(killer())
    for i in range(40):
        await seeker.send(cid, f"burst-{i}", f"line {i} of an invented burst")
    await kill
    assert seeker.reconnects >= 1  # it really moved to the other process
    await seeker.resume(cid)
    await listener.resume(cid)
    stored = await stored_messages(backends.database_url, cid)
    assert [r["client_id"] for r in stored] == [f"burst-{i}" for i in range(40)]  # in send order, once each
    assert_promises(stored, [seeker, listener], cid)
    await seeker.close()
    await listener.close()


async def test_sigkill_the_listeners_process_and_they_come_back_in_time(cluster, backends) -> None:
    seeker, listener, cid = await paired(cluster, backends, seeker_on=1, listener_on=0)
    await seeker.send(cid, "before", "before the crash")
    cluster[0].kill()
    await asyncio.sleep(0.5)
    await listener.connect()  # to the survivor, well within the grace period
    await listener.resume(cid)
    await listener.send(cid, "after", "back again")
    await seeker.send(cid, "reply", "good to see you")
    await asyncio.sleep(4.5)  # past LISTENER_GRACE_S: still theirs
    await listener.send(cid, "still", "still here")
    assert seeker.client is not None and seeker.client.events["queue"] == []
    await seeker.resume(cid)
    await listener.resume(cid)
    assert_promises(await stored_messages(backends.database_url, cid), [seeker, listener], cid)
    await seeker.close()
    await listener.close()


async def test_sigkill_the_listeners_process_and_they_do_not_come_back(cluster, backends) -> None:
    seeker, listener, cid = await paired(cluster, backends, seeker_on=1, listener_on=0)
    await seeker.send(cid, "s1", "are you there")
    await listener.send(cid, "l1", "yes, i am here")
    await create_user(backends.database_url, "nova")
    nova = await Client(cluster[1].base_url, "/listener", await login(cluster[1].base_url, "nova")).connect()
    await nova.ok("set_status", {"status": "available"})
    cluster[0].kill()
    # the dead process cannot say goodbye: its heartbeat goes stale (7 s), then the grace period (3 s)
    assert seeker.client is not None
    told = await seeker.client.wait_for("queue", timeout=20)
    assert told["conversation_id"] == cid and told["reason"] == "connecting you with someone else"
    assigned = await nova.wait_for("assigned", timeout=10)
    assert assigned["conversation"]["conversation_id"] == cid
    assert [m["client_id"] for m in assigned["messages"]] == ["s1", "l1"]  # the next listener sees the history
    await seeker.client.wait_for("matched", lambda m: m["listener"]["display_name"] == "Nova")
    await seeker.close()
    await nova.close()
