"""Three processes, 200 seekers, 30 listeners; one process killed and restarted every few seconds."""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter

import asyncpg

from tests.faults.resilient import ResilientParty, assert_promises, stored_messages
from tests.support import ServerProcess, create_user, login, seeker_token

SEEKERS = 200
LISTENERS = 30
CHAOS_S = float(os.environ.get("PEERLINE_CHAOS_S", "60"))
KILL_EVERY_S = 4.0


async def test_three_processes_one_killed_every_few_seconds(backends) -> None:
    env = backends.server_env(
        REDIS_URL=backends.isolated_redis_url(),
        LISTENER_GRACE_S="60",
        SEEKER_GRACE_S="120",
        LOG_LEVEL="WARNING",
    )
    servers = [ServerProcess(env).start() for _ in range(3)]
    rng = random.Random(7)
    try:
        names = [f"listener{j}" for j in range(LISTENERS)]
        for name in names:
            await create_user(backends.database_url, name, max_chats=7)
        base = servers[0].base_url
        listeners = [
            ResilientParty(servers, "/listener", await login(base, name), prefer=j % 3) for j, name in enumerate(names)
        ]
        seekers = [ResilientParty(servers, "/seeker", await seeker_token(base), prefer=i % 3) for i in range(SEEKERS)]
        for party in listeners:
            await party.connect()
            await party.call("set_status", {"status": "available", "max_chats": 7})

        stop = asyncio.Event()
        kills = 0
        conversation_of: dict[int, str] = {}

        async def chaos() -> None:
            nonlocal kills
            deadline = time.monotonic() + CHAOS_S
            # Until the time is up and every process has been killed at least once: how many kills fit in
            # the time depends on how fast this machine restarts a process, which is not what is tested.
            while time.monotonic() < deadline or kills < len(servers):
                await asyncio.sleep(KILL_EVERY_S)
                victim = servers[kills % 3]
                victim.kill()
                kills += 1
                await asyncio.sleep(1.0)
                await asyncio.to_thread(victim.start)
            stop.set()

        async def seeker_life(i: int, party: ResilientParty) -> None:
            await asyncio.sleep(rng.uniform(0, 5))
            await party.connect()
            ack = await party.call("request_chat", {"topic": "talk", "language": "en"})
            if not ack["ok"]:  # the first request was stored but its ack lost with a dead process
                assert ack["error"]["code"] == "conflict" and ack["conversation_id"], ack
            cid = ack["conversation_id"]
            conversation_of[i] = cid
            k = 0
            while not stop.is_set():
                await party.send(cid, f"s{i}-{k}", f"seeker {i} invented line {k}")
                k += 1
                await asyncio.sleep(rng.uniform(3, 5))

        async def listener_life(j: int, party: ResilientParty) -> None:
            k = 0
            while not stop.is_set():
                await asyncio.sleep(rng.uniform(4, 6))
                ack = await party.call("list_conversations", None)
                for conv in ack["conversations"]:
                    await party.send(conv["conversation_id"], f"l{j}-{k}", f"listener {j} reply {k}")
                    k += 1

        await asyncio.gather(
            chaos(),
            *(seeker_life(i, p) for i, p in enumerate(seekers)),
            *(listener_life(j, p) for j, p in enumerate(listeners)),
        )
        assert kills >= len(servers)  # the premise: every process died at least once under load

        # every seeker served: each conversation active with a listener, none queued, nobody over capacity
        conn = await asyncpg.connect(backends.database_url)
        try:
            deadline = time.monotonic() + 30
            while True:
                rows = await conn.fetch(
                    "select id::text, status, listener_id::text from conversations where id = any($1::uuid[])",
                    list(conversation_of.values()),
                )
                if all(r["status"] == "active" for r in rows) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
        finally:
            await conn.close()
        assert len(conversation_of) == SEEKERS and len(rows) == SEEKERS
        assert Counter(r["status"] for r in rows) == {"active": SEEKERS}
        per_listener = Counter(r["listener_id"] for r in rows)
        assert max(per_listener.values()) <= 7
        listener_of = {r["id"]: r["listener_id"] for r in rows}
        party_of_listener = {}
        for name, party in zip(names, listeners, strict=True):
            party.collect()
            conn = await asyncpg.connect(backends.database_url)
            try:
                uid = await conn.fetchval("select id::text from users where username = $1", name)
            finally:
                await conn.close()
            party_of_listener[uid] = party

        # zero lost, zero duplicated: every acked message stored once, every party holds all, in order
        total = 0
        for i, seeker in enumerate(seekers):
            cid = conversation_of[i]
            listener = party_of_listener[listener_of[cid]]
            await seeker.resume(cid)
            await listener.resume(cid)
            stored = await stored_messages(backends.database_url, cid)
            assert_promises(stored, [seeker, listener], cid)
            total += len(stored)
        acked = sum(len(p.acked) for p in [*seekers, *listeners])
        assert total == acked  # everything stored was acked to someone (sends stop before verification)
        reconnects = sum(p.reconnects for p in [*seekers, *listeners])
        assert reconnects > 0
        print(f"chaos: {kills} kills, {reconnects} reconnects, {total} messages, 0 lost, 0 duplicated")
        for p in [*seekers, *listeners]:
            await p.close()
    finally:
        for s in servers:
            s.stop()
