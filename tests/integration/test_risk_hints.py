"""Between the watch and alert thresholds: a quiet hint to the listener, nothing to anyone else."""

from __future__ import annotations

import asyncio

import asyncpg

from tests.support import Client, create_user, login, seeker_token

WORRYING = "everything feels heavy and pointless lately, i'm so tired of all of it"


async def test_a_watch_level_message_hints_the_listener_only(hinting_server, backends) -> None:
    base = hinting_server.base_url
    await create_user(backends.database_url, "lee", role="listener")
    await create_user(backends.database_url, "sam", role="supervisor")
    listener = await Client(base, "/listener", await login(base, "lee")).connect()
    supervisor = await Client(base, "/supervisor", await login(base, "sam")).connect()
    await listener.ok("set_status", {"status": "available"})
    seeker = await Client(base, "/seeker", await seeker_token(base)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")
    await supervisor.ok("join", {"conversation_id": cid})  # even a watching supervisor is not told

    ack = await seeker.ok("message", {"conversation_id": cid, "client_id": "w1", "text": WORRYING})
    hint = await listener.wait_for("risk_hint", timeout=2.0)
    assert hint["conversation_id"] == cid and hint["seq"] == ack["message"]["seq"]
    assert hint["category"] and 0.05 <= hint["probability"] < 0.999 and hint["message"]
    await seeker.ok("message", {"conversation_id": cid, "client_id": "w2", "text": "anyway how are you"})
    await listener.wait_for("message", lambda m: m["client_id"] == "w2")
    await asyncio.sleep(0.3)
    assert not seeker.events["crisis_resources"] and not seeker.events["risk_hint"]
    assert not supervisor.events["escalation"] and not supervisor.events["risk_hint"]
    assert not listener.events["risk"]
    conn = await asyncpg.connect(backends.database_url)
    try:
        assert await conn.fetchval("select count(*) from escalations") == 0
    finally:
        await conn.close()
    for client in (seeker, listener, supervisor):
        await client.close()
