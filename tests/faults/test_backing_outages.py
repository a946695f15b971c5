"""Redis and PostgreSQL go away and come back: nothing acked is lost, the index rebuilds itself."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import asyncpg
import redis.asyncio as aioredis

from tests.faults.resilient import ResilientParty, assert_promises, stored_messages
from tests.support import Client, PrivateRedis, ServerProcess, create_user, get_json, login, seeker_token


async def test_redis_outage_and_data_loss(private_redis: PrivateRedis, backends) -> None:
    env = backends.server_env(REDIS_URL=private_redis.url)
    servers = [ServerProcess(env).start() for _ in range(2)]
    try:
        await create_user(backends.database_url, "lee")
        base = servers[0].base_url
        listener = ResilientParty(servers, "/listener", await login(base, "lee"), prefer=0)
        seeker = ResilientParty(servers, "/seeker", await seeker_token(base), prefer=1)
        await listener.connect()
        await listener.call("set_status", {"status": "available", "max_chats": 1})
        await seeker.connect()
        cid = (await seeker.call("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
        assert listener.client is not None
        await listener.client.wait_for("assigned")
        waiting = await Client(base, "/seeker", await seeker_token(base)).connect()
        queued_cid = (await waiting.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]

        private_redis.stop()
        status, body = await get_json(base, "/readyz")
        assert status == 503 and body["failed"] == ["redis"] and body["error"]["code"] == "unavailable"
        for i in range(5):  # PostgreSQL is up: sends are stored and acked
            await seeker.send(cid, f"during-{i}", f"said while redis was down {i}")
            await listener.send(cid, f"reply-{i}", f"answered while redis was down {i}")

        private_redis.start(fresh=True)  # back, and empty: data loss
        deadline = asyncio.get_running_loop().time() + 15
        while (await get_json(base, "/readyz"))[0] != 200:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.2)
        # the queue is rebuilt from PostgreSQL
        r = aioredis.Redis.from_url(private_redis.url, decode_responses=True)
        try:
            for _ in range(100):
                if await r.zscore("{pl}:queue", queued_cid) is not None:
                    break
                await asyncio.sleep(0.1)
            assert await r.zscore("{pl}:queue", queued_cid) is not None
        finally:
            await r.aclose()
        # cross-process delivery recovers without a restart: events published while a process was still
        # resubscribing are lost live (clients resume those), so send until one arrives, then all must
        assert listener.client is not None
        recovered_at = None
        for i in range(30):
            await seeker.send(cid, f"probe-{i}", f"is anyone receiving {i}")
            try:
                await listener.client.wait_for("message", lambda m, i=i: m["client_id"] == f"probe-{i}", timeout=0.5)
            except AssertionError:
                continue
            recovered_at = i
            break
        assert recovered_at is not None, "cross-process delivery did not recover within ~15 s"
        for i in range(5):
            await seeker.send(cid, f"after-{i}", f"after redis came back {i}")
        for i in range(5):
            await listener.client.wait_for("message", lambda m, i=i: m["client_id"] == f"after-{i}", timeout=5)
        # presence came back too: the listener's free slot serves the waiting seeker
        await listener.call("end_chat", {"conversation_id": cid})
        matched = await waiting.wait_for("matched", timeout=10)
        assert matched["conversation_id"] == queued_cid
        await seeker.resume(cid)
        await listener.resume(cid)
        assert_promises(await stored_messages(backends.database_url, cid), [seeker, listener], cid)
        await waiting.close()
        await seeker.close()
        await listener.close()
    finally:
        for s in servers:
            s.stop()


class PrivatePostgres:
    """A pgserver instance of the test's own, so it can be stopped and started again."""

    def __init__(self) -> None:
        import pgserver

        self.dir = Path(tempfile.mkdtemp(prefix="peerline-pg-"))
        self.server = pgserver.get_server(self.dir, cleanup_mode="stop")
        self.url = self.server.get_uri()

    def stop(self) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def cleanup(self) -> None:
        self.server.cleanup()


async def test_postgres_outage_sends_unavailable_then_exactly_once(backends) -> None:
    pg = PrivatePostgres()
    env = backends.server_env(DATABASE_URL=pg.url, REDIS_URL=backends.isolated_redis_url())
    server = ServerProcess(env).start()
    try:
        await create_user(pg.url, "lee")
        base = server.base_url
        listener = ResilientParty([server], "/listener", await login(base, "lee"))
        seeker = ResilientParty([server], "/seeker", await seeker_token(base))
        await listener.connect()
        await listener.call("set_status", {"status": "available"})
        await seeker.connect()
        cid = (await seeker.call("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
        assert listener.client is not None
        await listener.client.wait_for("assigned")

        async def outage() -> None:
            while len(seeker.acked) < 5:
                await asyncio.sleep(0.005)
            pg.stop()
            await asyncio.sleep(3)
            status, body = await get_json(base, "/readyz")
            assert status == 503 and "postgres" in body["failed"]
            pg.start()

        running = asyncio.create_task(outage())
        for i in range(25):
            await seeker.send(cid, f"m{i}", f"invented line {i}")
        await running
        assert seeker.unavailable > 0  # the outage was seen as `unavailable`, never as a false ack
        await seeker.resume(cid)
        await listener.resume(cid)
        stored = await stored_messages(pg.url, cid)
        assert [r["client_id"] for r in stored] == [f"m{i}" for i in range(25)]  # once each, in order
        assert_promises(stored, [seeker, listener], cid)
        conn = await asyncpg.connect(pg.url)
        try:
            assert await conn.fetchval("select count(*) from messages") == 25
        finally:
            await conn.close()
        await seeker.close()
        await listener.close()
    finally:
        server.stop()
        pg.cleanup()
