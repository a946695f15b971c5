"""The walking skeleton: a seeker and a listener chat live through a real server."""

from __future__ import annotations

import asyncpg

from tests.support import Client, create_user, login, metrics_text, seeker_token


async def connect_listener(server, backends, name: str = "lee", **kw) -> Client:
    await create_user(backends.database_url, name, **kw)
    listener = await Client(server.base_url, "/listener", await login(server.base_url, name)).connect()
    return listener


async def test_full_flow_forty_messages_in_order_and_stored(live_server, backends) -> None:
    listener = await connect_listener(live_server, backends, topics=("talk",))
    ack = await listener.ok("set_status", {"status": "available", "max_chats": 2})
    assert ack["status"] == "available" and ack["max_chats"] == 2

    seeker = await Client(live_server.base_url, "/seeker", await seeker_token(live_server.base_url)).connect()
    ack = await seeker.ok("request_chat", {"topic": "talk", "language": "en"})
    cid = ack["conversation_id"]
    assert ack["position"] == 0
    matched = await seeker.wait_for("matched")
    assert matched["conversation_id"] == cid and matched["listener"]["display_name"] == "Lee"
    assigned = await listener.wait_for("assigned")
    assert assigned["conversation"]["conversation_id"] == cid
    assert assigned["conversation"]["status"] == "active"

    sent = []
    for i in range(20):
        a = await seeker.ok("message", {"conversation_id": cid, "client_id": f"s{i}", "text": f"seeker line {i}"})
        sent.append(("seeker", a["message"]["text"], a["message"]["seq"]))
        b = await listener.ok("message", {"conversation_id": cid, "client_id": f"l{i}", "text": f"listener line {i}"})
        sent.append(("listener", b["message"]["text"], b["message"]["seq"]))
    assert [s[2] for s in sent] == list(range(1, 41))

    await listener.wait_for("message", lambda m: m["seq"] == 39)
    await seeker.wait_for("message", lambda m: m["seq"] == 40)
    at_listener = [m["seq"] for m in listener.events["message"]]
    at_seeker = [m["seq"] for m in seeker.events["message"]]
    assert at_listener == list(range(1, 41, 2))
    assert at_seeker == list(range(2, 41, 2))
    assert all(m["sender"] == "seeker" for m in listener.events["message"])

    conn = await asyncpg.connect(backends.database_url)
    try:
        rows = await conn.fetch(
            "select sender, text, seq from messages where conversation_id = $1::uuid order by seq", cid
        )
    finally:
        await conn.close()
    assert [(r["sender"], r["text"], r["seq"]) for r in rows] == sent

    await seeker.ok("end_chat", {"conversation_id": cid})
    ended = await listener.wait_for("chat_ended")
    assert ended == {"conversation_id": cid, "by": "seeker", "reason": "ended by seeker"}
    await seeker.close()
    await listener.close()


async def test_resume_returns_what_was_missed(live_server, backends) -> None:
    listener = await connect_listener(live_server, backends)
    await listener.ok("set_status", {"status": "available"})
    token = await seeker_token(live_server.base_url)
    seeker = await Client(live_server.base_url, "/seeker", token).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en", "text": "hello there"}))[
        "conversation_id"
    ]
    await listener.wait_for("assigned")
    await seeker.close()
    for i in range(3):
        await listener.ok("message", {"conversation_id": cid, "client_id": f"x{i}", "text": f"are you there {i}"})
    seeker = await Client(live_server.base_url, "/seeker", token).connect()
    resumed = await seeker.ok("resume", {"conversation_id": cid, "after_seq": 1})
    assert resumed["conversation"]["status"] == "active"
    assert resumed["conversation"]["last_seq"] == 4
    assert [m["seq"] for m in resumed["messages"]] == [2, 3, 4]
    await seeker.close()
    await listener.close()


async def test_same_client_id_twice_stores_once_and_delivers_once(live_server, backends) -> None:
    listener = await connect_listener(live_server, backends)
    await listener.ok("set_status", {"status": "available"})
    seeker = await Client(live_server.base_url, "/seeker", await seeker_token(live_server.base_url)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")
    first = await seeker.ok("message", {"conversation_id": cid, "client_id": "dup-1", "text": "only once please"})
    again = await seeker.ok("message", {"conversation_id": cid, "client_id": "dup-1", "text": "only once please"})
    assert again["message"] == first["message"]
    # the listener's own use of the same client_id is a different message
    theirs = await listener.ok("message", {"conversation_id": cid, "client_id": "dup-1", "text": "mine"})
    assert theirs["message"]["seq"] == first["message"]["seq"] + 1
    await seeker.wait_for("message", lambda m: m["id"] == theirs["message"]["id"])
    assert [m["id"] for m in listener.events["message"]] == [first["message"]["id"]]
    conn = await asyncpg.connect(backends.database_url)
    try:
        count = await conn.fetchval("select count(*) from messages where conversation_id = $1::uuid", cid)
    finally:
        await conn.close()
    assert count == 2
    await seeker.close()
    await listener.close()


async def test_typing_reaches_the_other_side_only(live_server, backends) -> None:
    listener = await connect_listener(live_server, backends)
    await listener.ok("set_status", {"status": "available"})
    seeker = await Client(live_server.base_url, "/seeker", await seeker_token(live_server.base_url)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")
    await seeker.ok("typing", {"conversation_id": cid, "typing": True})
    got = await listener.wait_for("typing")
    assert got == {"conversation_id": cid, "sender": "seeker", "typing": True}
    assert seeker.events["typing"] == []
    await seeker.close()
    await listener.close()


async def test_metrics_count_what_operators_watch(live_server, backends) -> None:
    listener = await connect_listener(live_server, backends)
    await listener.ok("set_status", {"status": "available"})
    seeker = await Client(live_server.base_url, "/seeker", await seeker_token(live_server.base_url)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")
    await seeker.ok("message", {"conversation_id": cid, "client_id": "m", "text": "counting, not reading"})
    text = await metrics_text(live_server)
    values = {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in text.splitlines()
        if line.startswith("peerline_") and " " in line
    }
    assert values['peerline_messages_stored_total{sender="seeker"}'] >= 1
    assert values["peerline_pairings_total"] >= 1
    assert values['peerline_sockets{role="seeker"}'] >= 1
    assert any(k.startswith('peerline_event_seconds_count{event="message",namespace="/seeker"') for k in values)
    assert "counting, not reading" not in text  # counts only, never text
    await seeker.close()
    await listener.close()
