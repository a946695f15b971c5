"""A Redis outage must not shut the door: limits fall back to per-process counters, PostgreSQL serves.

While Redis is down a new seeker still gets a session, asks for a chat and is stored in PostgreSQL;
staff can still log in; once Redis is back the seeker is paired, and no request fails on a pooled
connection that went stale during the outage.
"""

from __future__ import annotations

import asyncio

import asyncpg

from tests.support import (
    Client,
    PrivateRedis,
    ServerProcess,
    create_user,
    get_json,
    login,
    metric_value,
    metrics_text,
    post_json,
    seeker_token,
)

FALLBACK_LINE = "rate limits: Redis unavailable"
CRISIS = "i am going to kill myself tonight, the pills are ready"
FALLBACK_METRIC = "peerline_rate_limit_fallback_total"


async def _wait_ready(base: str, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (await get_json(base, "/readyz"))[0] != 200:
        assert asyncio.get_running_loop().time() < deadline, "never ready after Redis came back"
        await asyncio.sleep(0.2)


async def test_redis_outage_new_seeker_is_stored_then_paired(private_redis: PrivateRedis, backends) -> None:
    server = ServerProcess(backends.server_env(REDIS_URL=private_redis.url)).start()
    base = server.base_url
    try:
        await create_user(backends.database_url, "lee")
        # fill the pools with several connections, all of which go stale when Redis restarts
        results = await asyncio.gather(*(post_json(base, "/api/seekers", {"language": "en"}) for _ in range(8)))
        assert all(status == 201 for status, _ in results)

        private_redis.stop()
        status, body = await post_json(base, "/api/seekers", {"language": "en"})
        assert status == 201, body  # a session, though the per-address limit cannot reach Redis
        seeker = await Client(base, "/seeker", body["token"]).connect()
        ack = await seeker.call("request_chat", {"topic": "talk", "language": "en"})
        assert ack["ok"] is True, ack
        cid = ack["conversation_id"]
        for _ in range(3):  # more limited calls during the outage: still served, still one log line
            assert (await post_json(base, "/api/seekers", {"language": "en"}))[0] == 201
        staff_token = await login(base, "lee")  # staff can still log in

        conn = await asyncpg.connect(backends.database_url)
        try:
            stored = await conn.fetchval("select status from conversations where id = $1::uuid", cid)
        finally:
            await conn.close()
        assert stored == "queued"

        private_redis.start()
        await _wait_ready(base)
        await asyncio.sleep(1.5)  # past the limits' probe interval: the next check goes to Redis
        fallbacks = metric_value(await metrics_text(server), FALLBACK_METRIC)
        assert fallbacks >= 5  # the outage was counted, once per limited check
        # every pooled connection is stale now; none of these may fail, nor fall back to memory
        statuses = [(await post_json(base, "/api/seekers", {"language": "en"}))[0] for _ in range(12)]
        assert statuses == [201] * 12, statuses
        statuses = [
            s for s, _ in await asyncio.gather(*(post_json(base, "/api/seekers", {"language": "en"}) for _ in range(8)))
        ]
        assert statuses == [201] * 8, statuses
        assert metric_value(await metrics_text(server), FALLBACK_METRIC) == fallbacks

        listener = await Client(base, "/listener", staff_token).connect()
        await listener.ok("set_status", {"status": "available", "max_chats": 1})
        matched = await seeker.wait_for("matched", timeout=20)
        assert matched["conversation_id"] == cid
        await listener.wait_for("assigned", lambda a: a["conversation"]["conversation_id"] == cid, timeout=10)
        await seeker.close()
        await listener.close()
    finally:
        server.stop()
    log_text = server.log_tail(10**7)
    assert "Traceback" not in log_text
    assert log_text.count(FALLBACK_LINE) == 1, log_text[-3000:]


async def test_crisis_during_redis_outage_is_announced_on_recovery(private_redis: PrivateRedis, backends) -> None:
    """The seeker is on one process, the listener and the supervisor on the other: while Redis is down
    nothing crosses between them; once it is back, the supervisor gets the escalation and the listener
    its ``risk`` at once — not with the next re-alert (set far beyond this test)."""
    env = backends.server_env(REDIS_URL=private_redis.url, ESCALATION_REALERT_S="600")
    servers = [ServerProcess(env).start() for _ in range(2)]
    try:
        await create_user(backends.database_url, "lee")
        await create_user(backends.database_url, "sam", role="supervisor")
        near, far = servers[0].base_url, servers[1].base_url
        listener = await Client(far, "/listener", await login(far, "lee")).connect()
        await listener.ok("set_status", {"status": "available", "max_chats": 1})
        supervisor = await Client(far, "/supervisor", await login(far, "sam")).connect()
        seeker = await Client(near, "/seeker", await seeker_token(near)).connect()
        cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
        await listener.wait_for("assigned", lambda a: a["conversation"]["conversation_id"] == cid)

        private_redis.stop()
        ack = await seeker.call("message", {"conversation_id": cid, "client_id": "c1", "text": CRISIS})
        assert ack["ok"] is True, ack  # stored in PostgreSQL, with its escalation
        await seeker.wait_for("crisis_resources")  # the seeker's own process tells them at once
        conn = await asyncpg.connect(backends.database_url)
        try:
            escalation_id = await conn.fetchval(
                "select id::text from escalations where conversation_id = $1::uuid", cid
            )
        finally:
            await conn.close()
        assert escalation_id is not None
        await asyncio.sleep(1)
        assert not [e for e in supervisor.events["escalation"] if e["escalation_id"] == escalation_id]

        private_redis.start()
        alert = await supervisor.wait_for("escalation", lambda e: e["escalation_id"] == escalation_id, timeout=15)
        assert alert["conversation_id"] == cid and alert["status"] == "open"
        risk = await listener.wait_for("risk", lambda r: r["escalation_id"] == escalation_id, timeout=15)
        assert risk["conversation_id"] == cid and risk["severity"] == alert["severity"]
        for client in (seeker, listener, supervisor):
            await client.close()
    finally:
        for server in servers:
            server.stop()
