"""A stalled detector worker in a support group: the rules answer in time, and the model's late review of
that member's window still escalates the stored message (a crisis only the model sees)."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from tests.faults.test_detector_worker import detector_worker
from tests.groups_support import drop_in, fetch, join, make_facilitator, seeker_client, staff_client
from tests.support import ServerProcess

pytestmark = pytest.mark.faults


async def test_a_group_message_the_rules_passed_is_still_reviewed_by_the_model(backends) -> None:
    env = backends.server_env(DETECTOR_DEADLINE_S="0.5", REDIS_URL=backends.isolated_redis_url())
    server = ServerProcess(env).start()
    try:
        base = server.base_url
        await make_facilitator(backends.database_url, "fran")
        fac = await staff_client(base, "fran")
        _, session_id = await drop_in(fac)
        member = await seeker_client(base)
        await join(member, session_id, "River")
        worker = detector_worker(server)
        os.kill(worker.pid, signal.SIGSTOP)
        try:
            await member.ok("message", {"session_id": session_id, "client_id": "1", "text": "long day"})
            worded = "tomorrow nobody will have to put up with me anymore, i made sure of it"
            sent = (await member.ok("message", {"session_id": session_id, "client_id": "2", "text": worded}))["message"]
            assert await fetch(backends.database_url, "select 1 from escalations") == []  # the rules do not see it
        finally:
            os.kill(worker.pid, signal.SIGCONT)
        for _ in range(100):
            rows = await fetch(backends.database_url, "select group_message_id::text from escalations")
            if rows:
                break
            await asyncio.sleep(0.2)
        assert [r[0] for r in rows] == [sent["id"]]
        resources = await member.wait_for("crisis_resources", timeout=5)
        assert resources["session_id"] == session_id
        await member.close()
        await fac.close()
    finally:
        server.stop()
