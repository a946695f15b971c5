"""Privacy and revocation: logout, deactivation, blocking, erasure, purge, encryption at rest."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from server.security.crypto import new_key_spec
from tests.support import (
    Client,
    ServerProcess,
    connect_error,
    create_user,
    login,
    post_json,
    run_cli,
    seeker_token,
)


async def sql(database_url: str, query: str, *args):
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


@pytest.fixture
def fast_token_checks(backends):
    server = ServerProcess(
        backends.server_env(TOKEN_CHECK_INTERVAL_S="0.5", REDIS_URL=backends.isolated_redis_url())
    ).start()
    yield server
    server.stop()


async def logout(base: str, token: str) -> tuple[int, dict]:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/api/logout", headers={"Authorization": f"Bearer {token}"}) as resp:
            return resp.status, await resp.json()


async def test_logout_revokes_the_token_everywhere(fast_token_checks, backends) -> None:
    base = fast_token_checks.base_url
    await create_user(backends.database_url, "lee")
    token = await login(base, "lee")
    live = await Client(base, "/listener", token).connect()
    assert await logout(base, token) == (200, {"status": "ok"})
    for _ in range(40):  # the live socket is dropped
        if not live.sio.connected:
            break
        await asyncio.sleep(0.1)
    assert not live.sio.connected
    assert await connect_error(base, "/listener", token) == "unauthorized"
    status, body = await logout(base, "not-a-token")
    assert status == 401 and body["error"]["code"] == "unauthorized"
    # a fresh login works again
    await (await Client(base, "/listener", await login(base, "lee")).connect()).close()


async def test_deactivation_drops_live_sockets(fast_token_checks, backends) -> None:
    base = fast_token_checks.base_url
    await create_user(backends.database_url, "sam", role="supervisor")
    live = await Client(base, "/supervisor", await login(base, "sam")).connect()
    done = run_cli({**fast_token_checks.env}, "user", "deactivate", "sam")
    assert done.returncode == 0, done.stderr
    for _ in range(40):
        if not live.sio.connected:
            break
        await asyncio.sleep(0.1)
    assert not live.sio.connected


async def test_block_seeker_stops_new_chats_only(live_server, backends) -> None:
    base = live_server.base_url
    await create_user(backends.database_url, "lee")
    listener = await Client(base, "/listener", await login(base, "lee")).connect()
    await listener.ok("set_status", {"status": "available"})
    seeker = await Client(base, "/seeker", await seeker_token(base)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")
    assert (await listener.ok("block_seeker", {"conversation_id": cid}))["blocked"] is True
    await seeker.ok("message", {"conversation_id": cid, "client_id": "m", "text": "the current chat goes on"})
    await seeker.ok("end_chat", {"conversation_id": cid})
    refused = await seeker.call("request_chat", {"topic": "talk", "language": "en"})
    assert refused["error"]["code"] == "forbidden"
    rows = await sql(backends.database_url, "select action from audit_log where conversation_id = $1::uuid", cid)
    assert [r["action"] for r in rows] == ["block_seeker"]
    await seeker.close()
    await listener.close()


async def test_seeker_erases_their_own_conversation(live_server, backends) -> None:
    base = live_server.base_url
    await create_user(backends.database_url, "lee")
    listener = await Client(base, "/listener", await login(base, "lee")).connect()
    await listener.ok("set_status", {"status": "available"})
    seeker = await Client(base, "/seeker", await seeker_token(base)).connect()
    other = await Client(base, "/seeker", await seeker_token(base)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    other_cid = (await other.ok("request_chat", {"topic": "talk", "language": "en", "text": "keep me"}))[
        "conversation_id"
    ]
    await listener.wait_for("assigned")
    crisis = "i am going to kill myself tonight, the pills are ready"
    await seeker.ok("message", {"conversation_id": cid, "client_id": "a", "text": crisis})
    await seeker.ok("message", {"conversation_id": cid, "client_id": "b", "text": "please forget all this"})
    assert (await other.call("erase", {"conversation_id": cid}))["error"]["code"] == "forbidden"
    erased = await seeker.ok("erase", {"conversation_id": cid})
    assert erased["erased_messages"] == 2
    ended = await listener.wait_for("chat_ended")
    assert ended["conversation_id"] == cid
    left = await sql(backends.database_url, "select count(*) from messages where conversation_id = $1::uuid", cid)
    assert left[0][0] == 0
    evidence = await sql(
        backends.database_url, "select evidence from escalations where conversation_id = $1::uuid", cid
    )
    assert evidence and all(r["evidence"] == "[]" for r in evidence)
    kept = await sql(backends.database_url, "select count(*) from messages where conversation_id = $1::uuid", other_cid)
    assert kept[0][0] == 1
    conv = await sql(backends.database_url, "select status, erased_at from conversations where id = $1::uuid", cid)
    assert conv[0]["status"] == "ended" and conv[0]["erased_at"] is not None
    await seeker.close()
    await other.close()
    await listener.close()


async def test_erase_counts_only_what_the_seeker_could_see(live_server, backends) -> None:
    """Whispers are erased too, but counting them would tell the seeker that staff wrote about them."""
    base = live_server.base_url
    await create_user(backends.database_url, "lee")
    await create_user(backends.database_url, "sam", role="supervisor")
    listener = await Client(base, "/listener", await login(base, "lee")).connect()
    await listener.ok("set_status", {"status": "available"})
    supervisor = await Client(base, "/supervisor", await login(base, "sam")).connect()
    seeker = await Client(base, "/seeker", await seeker_token(base)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en", "text": "first words"}))[
        "conversation_id"
    ]
    await listener.wait_for("assigned")
    await listener.ok("message", {"conversation_id": cid, "client_id": "l1", "text": "hello there"})
    await supervisor.ok("join", {"conversation_id": cid})
    for i in range(3):
        whisper = {"conversation_id": cid, "client_id": f"w{i}", "text": "staff note", "visibility": "staff"}
        await supervisor.ok("message", whisper)
    last_seq = (await seeker.ok("message", {"conversation_id": cid, "client_id": "s2", "text": "bye"}))["message"][
        "seq"
    ]
    erased = await seeker.ok("erase", {"conversation_id": cid})
    assert erased["erased_messages"] == last_seq == 3
    left = await sql(backends.database_url, "select count(*) from messages where conversation_id = $1::uuid", cid)
    assert left[0][0] == 0  # the whispers went too
    for client in (seeker, supervisor, listener):
        await client.close()


async def test_purge_removes_exactly_what_is_past_retention(live_server, backends) -> None:
    base = live_server.base_url
    await create_user(backends.database_url, "lee", max_chats=5)
    listener = await Client(base, "/listener", await login(base, "lee")).connect()
    await listener.ok("set_status", {"status": "available", "max_chats": 5})
    made = {}
    for name in ("old", "old_escalated", "recent", "open"):
        s = await Client(base, "/seeker", await seeker_token(base)).connect()
        text = "i am going to kill myself tonight, the pills are ready" if name == "old_escalated" else "hello"
        made[name] = (await s.ok("request_chat", {"topic": "talk", "language": "en", "text": text}))["conversation_id"]
        if name != "open":
            await s.ok("end_chat", {"conversation_id": made[name]})
        await s.close()
    await sql(
        backends.database_url,
        "update conversations set ended_at = now() - interval '40 days' where id = any($1::uuid[])",
        [made["old"], made["old_escalated"]],
    )
    done = run_cli({**live_server.env, "RETENTION_DAYS": "30", "ESCALATION_RETENTION_DAYS": "365"}, "purge")
    assert done.returncode == 0, done.stderr
    assert "purged 1 conversations, 1 messages" in done.stdout
    rows = await sql(backends.database_url, "select id::text from conversations")
    assert {r[0] for r in rows} == {made["old_escalated"], made["recent"], made["open"]}
    await listener.close()


async def test_message_bodies_encrypted_at_rest_with_rotation(backends) -> None:
    k1, k2 = new_key_spec("k1"), new_key_spec("k2")
    env = backends.server_env(MESSAGE_KEY=k1, REDIS_URL=backends.isolated_redis_url())
    server = ServerProcess(env).start()
    base = server.base_url
    secret = "an invented secret sentence about my week"
    try:
        await create_user(backends.database_url, "lee")
        listener = await Client(base, "/listener", await login(base, "lee")).connect()
        await listener.ok("set_status", {"status": "available"})
        seeker = await Client(base, "/seeker", await seeker_token(base)).connect()
        cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en", "text": secret}))["conversation_id"]
        assigned = await listener.wait_for("assigned")
        assert assigned["messages"][0]["text"] == secret  # everything still works
        crisis = "i am going to kill myself tonight, the pills are ready"
        await seeker.ok("message", {"conversation_id": cid, "client_id": "c", "text": crisis})
        got = await listener.wait_for("message", lambda m: m["client_id"] == "c")
        assert got["text"] == crisis
        stored = await sql(backends.database_url, "select text from messages where conversation_id = $1::uuid", cid)
        assert all(r["text"].startswith("enc:v1:k1:") for r in stored)
        assert not any(secret in r["text"] or "kill" in r["text"] for r in stored)
        ev = await sql(
            backends.database_url, "select evidence::text from escalations where conversation_id = $1::uuid", cid
        )
        assert ev and "kill" not in ev[0][0]
        await seeker.close()
        await listener.close()
    finally:
        server.stop()
    # rotate: k2 becomes current, k1 stays readable until re-sealed
    rotate_env = {**env, "MESSAGE_KEY": k2, "MESSAGE_KEYS_OLD": k1, "PATH": "/usr/bin:/bin"}
    done = run_cli(rotate_env, "rotate-keys")
    assert done.returncode == 0, done.stderr
    stored = await sql(backends.database_url, "select text from messages where conversation_id = $1::uuid", cid)
    assert all(r["text"].startswith("enc:v1:k2:") for r in stored)
    server = ServerProcess({**env, "MESSAGE_KEY": k2}).start()  # k1 no longer needed for message bodies
    try:
        seeker_again = await post_json(server.base_url, "/api/seekers", {"language": "en"})
        assert seeker_again[0] == 201
        await create_user(backends.database_url, "sam", role="supervisor")
        sup = await Client(server.base_url, "/supervisor", await login(server.base_url, "sam")).connect()
        joined = await sup.ok("join", {"conversation_id": cid})
        assert [m["text"] for m in joined["messages"]] == [secret, crisis]
        listed = await sup.ok("list_escalations", {})
        assert listed["escalations"][0]["evidence"][0]["text"] in crisis  # evidence re-sealed too
        await sup.close()
    finally:
        server.stop()


def test_a_bad_message_key_refuses_to_start(backends) -> None:
    env = {**backends.server_env(MESSAGE_KEY="k1:not-base64!"), "PATH": "/usr/bin:/bin"}
    done = run_cli(env, "serve", timeout=30)
    assert done.returncode == 2 and "MESSAGE_KEY" in done.stderr
