"""Seekers who drop keep their place for a grace period; supervisors see the overview; the audit CLI."""

from __future__ import annotations

import asyncio

import pytest

from tests.support import Client, ServerProcess, create_user, login, run_cli, seeker_token


@pytest.fixture
def short_grace(backends):
    env = backends.server_env(SEEKER_GRACE_S="1", REDIS_URL=backends.isolated_redis_url())
    server = ServerProcess(env).start()
    yield server
    server.stop()


async def test_a_seeker_who_does_not_come_back_ends_as_seeker_left(short_grace, backends) -> None:
    base = short_grace.base_url
    await create_user(backends.database_url, "lee")
    listener = await Client(base, "/listener", await login(base, "lee")).connect()
    await listener.ok("set_status", {"status": "available"})
    token = await seeker_token(base)
    seeker = await Client(base, "/seeker", token).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")
    await seeker.close()
    ended = await listener.wait_for("chat_ended", timeout=10)
    assert ended == {"conversation_id": cid, "by": "system", "reason": "seeker_left"}
    await listener.close()


async def test_a_queued_seeker_who_comes_back_in_time_keeps_their_place(backends) -> None:
    env = backends.server_env(SEEKER_GRACE_S="30", REDIS_URL=backends.isolated_redis_url())
    server = ServerProcess(env).start()
    try:
        base = server.base_url
        first_token = await seeker_token(base)
        first = await Client(base, "/seeker", first_token).connect()
        first_cid = (await first.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
        second = await Client(base, "/seeker", await seeker_token(base)).connect()
        assert (await second.ok("request_chat", {"topic": "talk", "language": "en"}))["position"] == 2
        await first.close()
        await asyncio.sleep(1.0)
        first = await Client(base, "/seeker", first_token).connect()  # a flaky phone: back within the grace
        resumed = await first.ok("resume", {"conversation_id": first_cid, "after_seq": 0})
        assert resumed["conversation"]["status"] == "queued"
        await create_user(backends.database_url, "lee", max_chats=1)
        listener = await Client(base, "/listener", await login(base, "lee")).connect()
        await listener.ok("set_status", {"status": "available"})
        assigned = await listener.wait_for("assigned")
        assert assigned["conversation"]["conversation_id"] == first_cid  # still first in line
        for c in (first, second, listener):
            await c.close()
    finally:
        server.stop()


async def test_supervisor_overview_and_audit_cli(live_server, backends) -> None:
    base = live_server.base_url
    await create_user(backends.database_url, "lee", display_name="Lee")
    await create_user(backends.database_url, "sam", role="supervisor")
    listener = await Client(base, "/listener", await login(base, "lee")).connect()
    await listener.ok("set_status", {"status": "available", "max_chats": 2})
    seeker = await Client(base, "/seeker", await seeker_token(base)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    waiting = await Client(base, "/seeker", await seeker_token(base)).connect()
    await waiting.ok("request_chat", {"topic": "talk", "language": "es"})  # nobody speaks Spanish: waits
    supervisor = await Client(base, "/supervisor", await login(base, "sam")).connect()
    first = await supervisor.wait_for("overview")
    assert set(first) == {"queue_length", "longest_wait_s", "active_conversations", "listeners", "open_escalations"}
    assert first["queue_length"] == 1 and first["active_conversations"] == 1
    assert first["listeners"][0]["display_name"] == "Lee" and first["listeners"][0]["load"] == 1
    assert first["listeners"][0]["status"] == "available" and first["listeners"][0]["max_chats"] == 2
    await listener.ok("escalate", {"conversation_id": cid, "reason": "worried"})
    changed = await supervisor.wait_for("overview", lambda o: o["open_escalations"] == 1, timeout=5)
    assert changed["queue_length"] == 1
    asked = await supervisor.ok("overview")
    assert asked["open_escalations"] == 1
    await supervisor.ok("join", {"conversation_id": cid})
    done = run_cli({**live_server.env}, "audit")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    # newest first: joining acknowledged the open escalation (issue 15), audited as sam's ack "by join"
    assert len(lines) == 2 and all(cid in line for line in lines)
    assert "\tsam\tack\t" in lines[0] and "'by': 'join'" in lines[0]
    assert "\tsam\tjoin\t" in lines[1]
    for c in (listener, seeker, waiting, supervisor):
        await c.close()
