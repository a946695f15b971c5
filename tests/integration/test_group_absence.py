"""A closed tab gives its seat back: a member none of whose sockets is live for the grace period is
``left`` (the room is told, a newcomer can take the seat) — and never while a socket of theirs is live
on any process."""

from __future__ import annotations

import asyncio
import time

import pytest

from matching.presence import STALE_MS
from tests.groups_support import drop_in, join, make_facilitator, staff_client
from tests.support import Client, ServerProcess, seeker_token

GRACE_S = 1.0


@pytest.fixture
def two_servers(backends):
    env = backends.server_env(SEEKER_GRACE_S=str(GRACE_S), REDIS_URL=backends.isolated_redis_url())
    servers = [ServerProcess(env).start() for _ in range(2)]
    yield servers
    for s in servers:
        s.stop()


async def _join_when_free(seeker: Client, session_id: str, alias: str, within_s: float) -> dict:
    deadline = time.monotonic() + within_s
    while True:
        ack = await seeker.call("join", {"session_id": session_id, "alias": alias, "accept_guidelines": True})
        if ack["ok"] or ack.get("reason") != "full" or time.monotonic() > deadline:
            return ack
        await asyncio.sleep(0.5)


async def test_a_member_who_closed_every_tab_gives_the_seat_back(two_servers, backends) -> None:
    a, b = two_servers
    await make_facilitator(backends.database_url, "fran")
    fac = await staff_client(a.base_url, "fran")
    _, session_id = await drop_in(fac, capacity=2)
    await fac.ok("facilitate", {"session_id": session_id})
    stays_token, goes_token = await seeker_token(a.base_url), await seeker_token(a.base_url)
    stays = await Client(a.base_url, "/groups", stays_token).connect()
    await join(stays, session_id, "Lake")
    goes = await Client(a.base_url, "/groups", goes_token).connect()
    seat = await join(goes, session_id, "River")
    # a second tab of the same member on the other process
    goes_elsewhere = await Client(b.base_url, "/groups", goes_token).connect()
    await goes_elsewhere.ok("resume", {"session_id": session_id, "after_seq": 0})
    newcomer = await Client(b.base_url, "/groups", await seeker_token(b.base_url)).connect()
    assert (await newcomer.call("join", {"session_id": session_id, "alias": "Stone", "accept_guidelines": True}))[
        "reason"
    ] == "full"

    await goes.close()  # one tab closed; the other is live on process b: the seat stays theirs
    await asyncio.sleep(STALE_MS / 1000 + GRACE_S + 6)  # unconfirmed + grace + a run of the job (every ≤ 5 s)
    assert fac.events["member_left"] == []
    assert (await _join_when_free(newcomer, session_id, "Stone", within_s=0))["reason"] == "full"
    await goes_elsewhere.ok("message", {"session_id": session_id, "client_id": "g1", "text": "still here, reading"})

    await goes_elsewhere.close()  # every tab closed
    ack = await _join_when_free(newcomer, session_id, "Stone", within_s=30)
    assert ack["ok"] is True, ack
    left = await fac.wait_for("member_left", lambda e: e["member_id"] == seat["member"]["member_id"])
    assert left["session_id"] == session_id
    # the member who stayed connected the whole time was never released
    await stays.ok("message", {"session_id": session_id, "client_id": "s1", "text": "welcome, Stone"})
    stays_id = (await stays.ok("resume", {"session_id": session_id, "after_seq": 0}))["member"]["member_id"]
    assert all(e["member_id"] != stays_id for e in fac.events["member_left"])

    # coming back later: no longer seated, and the group is full again
    back = await Client(a.base_url, "/groups", goes_token).connect()
    assert (await back.call("resume", {"session_id": session_id, "after_seq": 0}))["reason"] == "not_member"
    assert (await back.call("join", {"session_id": session_id, "alias": "River", "accept_guidelines": True}))[
        "reason"
    ] == "full"
    for c in (fac, stays, newcomer, back):
        await c.close()
