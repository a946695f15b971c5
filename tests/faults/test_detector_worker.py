"""The detector runs in a worker process; neither its death nor the server's loses an assessment.

A seeker's message is assessed before it is stored, and stored together with its escalation, so
there is no moment at which a stored seeker message has no verdict. These scenarios stop the
worker in the middle of an assessment and kill processes in exactly that window.
"""

from __future__ import annotations

import asyncio
import os
import signal

import asyncpg
import psutil
import pytest

from tests.faults.resilient import assert_promises, paired, stored_messages
from tests.support import ServerProcess

CRISIS = "i am going to kill myself tonight, the pills are ready"


def detector_worker(server: ServerProcess) -> psutil.Process:
    assert server.proc is not None
    children = psutil.Process(server.proc.pid).children(recursive=True)
    workers = [c for c in children if "spawn_main" in " ".join(c.cmdline())]
    assert len(workers) == 1, [c.cmdline() for c in children]
    return workers[0]


async def escalations_for(database_url: str, conversation_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch(
            "select e.message_id::text as message_id, m.client_id from escalations e"
            " join messages m on m.id = e.message_id where e.conversation_id = $1::uuid",
            conversation_id,
        )
    finally:
        await conn.close()


@pytest.fixture
def cluster(backends):
    env = backends.server_env(LISTENER_GRACE_S="30", SEEKER_GRACE_S="30", REDIS_URL=backends.isolated_redis_url())
    servers = [ServerProcess(env).start() for _ in range(2)]
    yield servers
    for s in servers:
        s.stop()


async def test_server_killed_while_its_worker_is_assessing_a_crisis_message(cluster, backends) -> None:
    seeker, listener, cid = await paired(cluster, backends, seeker_on=0, listener_on=1)
    await seeker.send(cid, "before", "an ordinary invented line")
    worker = detector_worker(cluster[0])
    os.kill(worker.pid, signal.SIGSTOP)  # the assessment of the next message cannot finish
    sending = asyncio.create_task(seeker.send(cid, "crisis", CRISIS))
    await asyncio.sleep(1.0)
    assert not sending.done()  # no ack: it is not stored before it has its verdict ...
    assert [r["client_id"] for r in await stored_messages(backends.database_url, cid)] == ["before"]
    cluster[0].kill()  # ... and the process dies in exactly that gap
    os.kill(worker.pid, signal.SIGCONT)
    stored = await asyncio.wait_for(sending, 60)  # the party retries on the other process
    assert seeker.reconnects >= 1
    escalations = await escalations_for(backends.database_url, cid)
    assert [(e["message_id"], e["client_id"]) for e in escalations] == [(stored["id"], "crisis")]
    await seeker.resume(cid)
    await listener.resume(cid)
    assert_promises(await stored_messages(backends.database_url, cid), [seeker, listener], cid)
    await seeker.close()
    await listener.close()


async def test_a_dead_worker_is_replaced_and_every_message_still_assessed(cluster, backends) -> None:
    seeker, listener, cid = await paired(cluster, backends, seeker_on=0, listener_on=1)
    first = detector_worker(cluster[0])

    async def killer() -> None:
        while len(seeker.acked) < 5:
            await asyncio.sleep(0.005)
        first.kill()

    kill = asyncio.create_task(killer())
    for i in range(20):
        await seeker.send(cid, f"line-{i}", f"invented ordinary line number {i}")
    await kill
    crisis = await seeker.send(cid, "crisis", CRISIS)  # assessed by the replacement worker
    assert cluster[0].proc is not None and cluster[0].proc.poll() is None  # the server itself lived on
    assert detector_worker(cluster[0]).pid != first.pid
    escalations = await escalations_for(backends.database_url, cid)
    assert [e["message_id"] for e in escalations] == [crisis["id"]]
    await listener.resume(cid)
    assert_promises(await stored_messages(backends.database_url, cid), [seeker, listener], cid)
    await seeker.close()
    await listener.close()


async def test_a_stalled_worker_does_not_stall_the_chat_and_the_rules_still_escalate(backends) -> None:
    """The worker stopped dead (SIGSTOP): after DETECTOR_DEADLINE_S the rules answer in the server
    process, so messages keep flowing and explicit crisis wording still reaches the supervisors."""
    env = backends.server_env(DETECTOR_DEADLINE_S="0.5", REDIS_URL=backends.isolated_redis_url())
    server = ServerProcess(env).start()
    try:
        seeker, listener, cid = await paired([server], backends, seeker_on=0, listener_on=0)
        worker = detector_worker(server)
        os.kill(worker.pid, signal.SIGSTOP)
        try:
            ordinary = await asyncio.wait_for(seeker.send(cid, "plain", "an ordinary invented line"), 20)
            crisis = await asyncio.wait_for(seeker.send(cid, "crisis", CRISIS), 20)
        finally:
            os.kill(worker.pid, signal.SIGCONT)
        assert ordinary["seq"] == 1 and crisis["seq"] == 2
        escalations = await escalations_for(backends.database_url, cid)
        assert [(e["message_id"], e["client_id"]) for e in escalations] == [(crisis["id"], "crisis")]
        await listener.resume(cid)
        assert_promises(await stored_messages(backends.database_url, cid), [seeker, listener], cid)
        await seeker.close()
        await listener.close()
    finally:
        server.stop()


async def test_what_the_rules_answered_for_a_late_worker_is_still_reviewed_by_the_model(backends) -> None:
    """The rules answered in time for a stalled worker and saw nothing; once the worker runs again,
    the model's own verdict on that window escalates the stored message (a crisis only it sees)."""
    env = backends.server_env(DETECTOR_DEADLINE_S="0.5", REDIS_URL=backends.isolated_redis_url())
    server = ServerProcess(env).start()
    try:
        seeker, listener, cid = await paired([server], backends, seeker_on=0, listener_on=0)
        worker = detector_worker(server)
        os.kill(worker.pid, signal.SIGSTOP)
        try:
            await asyncio.wait_for(seeker.send(cid, "first", "long day"), 20)
            worded = "tomorrow nobody will have to put up with me anymore, i made sure of it"
            unnamed = await asyncio.wait_for(seeker.send(cid, "unnamed", worded), 20)
            assert await escalations_for(backends.database_url, cid) == []  # the rules do not see it
        finally:
            os.kill(worker.pid, signal.SIGCONT)
        for _ in range(100):
            escalations = await escalations_for(backends.database_url, cid)
            if escalations:
                break
            await asyncio.sleep(0.2)
        assert [(e["message_id"], e["client_id"]) for e in escalations] == [(unnamed["id"], "unnamed")]
        await listener.resume(cid)
        assert_promises(await stored_messages(backends.database_url, cid), [seeker, listener], cid)
        await seeker.close()
        await listener.close()
    finally:
        server.stop()
