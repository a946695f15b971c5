"""Two server processes on one PostgreSQL and Redis: nobody paired twice, nobody over capacity."""

from __future__ import annotations

import asyncio
from collections import Counter

import asyncpg

from tests.support import Client, create_user, login, seeker_token


async def test_sixty_seekers_ten_listeners_two_processes(two_servers, backends) -> None:
    a = two_servers[0]
    names = [f"listener{i}" for i in range(10)]
    for name in names:
        await create_user(backends.database_url, name, topics=("talk",), max_chats=6)
    listeners = []
    for i, name in enumerate(names):
        server = two_servers[i % 2]
        listeners.append(await Client(server.base_url, "/listener", await login(server.base_url, name)).connect())
    tokens = await asyncio.gather(*(seeker_token(a.base_url) for _ in range(60)))
    seekers = [await Client(two_servers[i % 2].base_url, "/seeker", tokens[i]).connect() for i in range(60)]

    async def arrive(seeker: Client, i: int) -> dict:
        return await seeker.ok("request_chat", {"topic": "talk", "language": "en", "text": f"hello from {i}"})

    # everyone at once: listeners going available while seekers ask
    acks, _ = await asyncio.gather(
        asyncio.gather(*(arrive(s, i) for i, s in enumerate(seekers))),
        asyncio.gather(*(lst.ok("set_status", {"status": "available"}) for lst in listeners)),
    )
    conversation_ids = {ack["conversation_id"] for ack in acks}
    assert len(conversation_ids) == 60

    for seeker in seekers:
        await seeker.wait_for("matched", timeout=15)
    assigned: Counter[str] = Counter()
    await asyncio.sleep(0.5)  # any duplicate assignment would have arrived by now
    for lst in listeners:
        for a_ in lst.events["assigned"]:
            assigned[a_["conversation"]["conversation_id"]] += 1
    # each conversation assigned exactly once, and `take` was never needed
    assert set(assigned) == conversation_ids
    assert set(assigned.values()) == {1}
    assert all(len(s.events["matched"]) == 1 for s in seekers)

    conn = await asyncpg.connect(backends.database_url)
    try:
        rows = await conn.fetch("select listener_id, count(*) from conversations where status = 'active' group by 1")
        queued = await conn.fetchval("select count(*) from conversations where status = 'queued'")
    finally:
        await conn.close()
    assert queued == 0
    assert sum(r[1] for r in rows) == 60
    assert max(r[1] for r in rows) <= 6
    for c in [*seekers, *listeners]:
        await c.close()
