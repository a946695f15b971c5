"""No crisis goes unseen: every process's supervisors, re-alerts until ack, leader failover, paging."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from aiohttp import web

from tests.support import Client, ServerProcess, create_user, free_port, get_json, login, seeker_token

CRISIS = "i am going to kill myself tonight, the pills are ready"


class Receiver:
    """A local pager/SMS gateway stand-in: a real HTTP server answering with scripted statuses."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.calls: list[tuple[int, bytes]] = []
        self.port = free_port()
        self.runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/page"

    async def handle(self, request: web.Request) -> web.Response:
        status = self.statuses[len(self.calls)] if len(self.calls) < len(self.statuses) else 200
        self.calls.append((status, await request.read()))
        return web.json_response({}, status=status)

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/page", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()


async def wait_until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def crisis_chat(server: ServerProcess, listener: Client) -> tuple[Client, str]:
    seeker = await Client(server.base_url, "/seeker", await seeker_token(server.base_url)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned", lambda a: a["conversation"]["conversation_id"] == cid)
    await seeker.ok("message", {"conversation_id": cid, "client_id": f"c-{cid}", "text": CRISIS})
    return seeker, cid


@pytest.fixture
def two_processes(backends):
    env = backends.server_env(ESCALATION_REALERT_S="1", REDIS_URL=backends.isolated_redis_url())
    servers = [ServerProcess(env).start() for _ in range(2)]
    yield servers
    for s in servers:
        s.stop()


async def test_every_supervisor_on_every_process_realert_ack_and_failover(two_processes, backends) -> None:
    a, b = two_processes
    await create_user(backends.database_url, "lee")
    await create_user(backends.database_url, "sam", role="supervisor")
    await create_user(backends.database_url, "ash", role="admin")
    sup_a = await Client(a.base_url, "/supervisor", await login(a.base_url, "sam")).connect()
    sup_b = await Client(b.base_url, "/supervisor", await login(b.base_url, "ash")).connect()
    listener = await Client(a.base_url, "/listener", await login(a.base_url, "lee")).connect()
    await listener.ok("set_status", {"status": "available"})

    seeker, cid = await crisis_chat(b, listener)
    first_a = await sup_a.wait_for("escalation", timeout=1.0)
    first_b = await sup_b.wait_for("escalation", timeout=1.0)
    assert first_a["escalation_id"] == first_b["escalation_id"] and first_a["conversation_id"] == cid
    eid = first_a["escalation_id"]
    # unacknowledged: announced again after the interval, on both processes
    await sup_a.wait_for("escalation", lambda e: len(sup_a.events["escalation"]) >= 2, timeout=4)
    await sup_b.wait_for("escalation", lambda e: len(sup_b.events["escalation"]) >= 2, timeout=4)
    await sup_b.ok("ack", {"escalation_id": eid})
    seen = await sup_a.wait_for("escalation_update", lambda e: e["escalation_id"] == eid)
    assert seen["status"] == "acknowledged" and seen["acknowledged_by"] == {"display_name": "Ash"}
    count = len(sup_a.events["escalation"])
    await asyncio.sleep(2.5)
    assert len(sup_a.events["escalation"]) == count  # no re-alerts after the ack

    # the process holding the jobs' lock dies; the other takes the job over
    leaders = [s for s in (a, b) if (await get_json(s.base_url, "/healthz"))[1]["jobs_leader"]]
    assert len(leaders) == 1
    leader = leaders[0]
    survivor = b if leader is a else a
    watcher = sup_a if survivor is a else sup_b
    other_listener = listener
    if survivor is not a:
        other_listener = await Client(b.base_url, "/listener", await login(b.base_url, "lee")).connect()
    leader.kill()
    await other_listener.ok("set_status", {"status": "available"})
    seeker2, cid2 = await crisis_chat(survivor, other_listener)
    await watcher.wait_for("escalation", lambda e: e["conversation_id"] == cid2, timeout=2)
    # re-alerted by the survivor once the dead leader's lock expires (5 s) and the interval passes
    await watcher.wait_for(
        "escalation",
        lambda e: sum(1 for x in watcher.events["escalation"] if x["conversation_id"] == cid2) >= 2,
        timeout=10,
    )
    assert (await get_json(survivor.base_url, "/healthz"))[1]["jobs_leader"] is True
    for c in {seeker, seeker2, listener, other_listener, watcher}:
        await c.close()


async def test_pages_when_no_supervisor_is_online_exactly_once(backends) -> None:
    receiver = await Receiver([500, 500, 200]).start()
    server = ServerProcess(
        backends.server_env(
            ESCALATION_WEBHOOK_URL=receiver.url,
            DASHBOARD_URL="https://peerline.example",
            REDIS_URL=backends.isolated_redis_url(),
        )
    ).start()
    try:
        await create_user(backends.database_url, "lee")
        listener = await Client(server.base_url, "/listener", await login(server.base_url, "lee")).connect()
        await listener.ok("set_status", {"status": "available"})
        seeker, cid = await crisis_chat(server, listener)
        await seeker.wait_for("crisis_resources", timeout=1)
        notice = await listener.wait_for("notice", timeout=2)
        assert notice["code"] == "no_supervisor_online" and notice["conversation_id"] == cid
        await wait_until(lambda: any(status == 200 for status, _ in receiver.calls), timeout=15)
        await asyncio.sleep(2.0)  # nothing more arrives after the successful delivery
        assert [status for status, _ in receiver.calls] == [500, 500, 200]
        raw = receiver.calls[-1][1]
        body = json.loads(raw)
        assert body["conversation_id"] == cid and body["category"] == "suicide" and body["severity"] == "imminent"
        assert body["dashboard_url"] == "https://peerline.example/supervisor"
        assert set(body) == {
            "escalation_id",
            "conversation_id",
            "category",
            "severity",
            "source",
            "created_at",
            "dashboard_url",
        }
        assert b"kill" not in raw and b"pills" not in raw  # no message text leaves the service
        await seeker.close()
        await listener.close()
    finally:
        server.stop()
        await receiver.stop()
