"""Crisis words in the chat: escalation row, crisis resources, risk badge, queue priority, supervisors."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.support import Client, create_user, login, seeker_token

CRISIS = "i am going to kill myself tonight, the pills are ready"


async def rows(database_url: str, sql: str, *args) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


@pytest.fixture
async def people(live_server, backends):
    base = live_server.base_url
    await create_user(backends.database_url, "lee", role="listener")
    await create_user(backends.database_url, "sam", role="supervisor")
    listener = await Client(base, "/listener", await login(base, "lee")).connect()
    supervisor = await Client(base, "/supervisor", await login(base, "sam")).connect()
    yield listener, supervisor
    await listener.close()
    await supervisor.close()


async def test_crisis_message_escalates_once_with_resources_and_risk(live_server, backends, people) -> None:
    listener, supervisor = people
    await listener.ok("set_status", {"status": "available"})
    seeker = await Client(live_server.base_url, "/seeker", await seeker_token(live_server.base_url)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")
    ack = await seeker.ok("message", {"conversation_id": cid, "client_id": "c1", "text": CRISIS})
    assert ack["message"]["seq"] == 1

    resources = await seeker.wait_for("crisis_resources", timeout=1.0)
    assert resources["conversation_id"] == cid and resources["resources"]
    assert {"name", "how", "available"} <= set(resources["resources"][0])
    alert = await supervisor.wait_for("escalation", timeout=1.0)
    assert alert["conversation_id"] == cid and alert["source"] == "detector"
    assert alert["category"] == "suicide" and alert["severity"] == "imminent" and alert["status"] == "open"
    assert alert["listener"] == {"display_name": "Lee"}
    assert alert["evidence"] and all(e["text"].lower() in CRISIS for e in alert["evidence"])
    risk = await listener.wait_for("risk", timeout=1.0)
    assert {k: risk[k] for k in ("conversation_id", "category", "severity", "escalation_id")} == {
        "conversation_id": cid,
        "category": "suicide",
        "severity": "imminent",
        "escalation_id": alert["escalation_id"],
    }
    # what the listener needs at that moment: the words, that the seeker saw resources, a guide for peers
    assert risk["message_id"] == ack["message"]["id"] and risk["evidence"] and risk["resources_shown"] is True
    assert risk["guide"]["title"] and any("Ask directly" in step for step in risk["guide"]["steps"])
    stored = await rows(
        backends.database_url,
        "select e.message_id::text, e.severity, c.severity as conv from escalations e"
        " join conversations c on c.id = e.conversation_id where e.conversation_id = $1::uuid",
        cid,
    )
    assert len(stored) == 1 and stored[0]["message_id"] == ack["message"]["id"] and stored[0]["conv"] == "imminent"

    # the same risk again does not raise a second escalation (no alert fatigue) ...
    await seeker.ok("message", {"conversation_id": cid, "client_id": "c2", "text": CRISIS})
    await seeker.wait_for("crisis_resources", lambda r: len(seeker.events["crisis_resources"]) == 2)
    assert (
        len(await rows(backends.database_url, "select 1 from escalations where conversation_id = $1::uuid", cid)) == 1
    )
    assert len(supervisor.events["escalation"]) == 1
    # ... and a calm message after it, sharing the detector's window, does not re-send resources
    await seeker.ok("message", {"conversation_id": cid, "client_id": "c3", "text": "ok. thank you for staying"})
    await listener.wait_for("message", lambda m: m["client_id"] == "c3")
    await asyncio.sleep(0.3)
    assert len(seeker.events["crisis_resources"]) == 2
    await seeker.close()


async def test_queued_crisis_seeker_is_served_first(live_server, backends, people) -> None:
    listener, supervisor = people
    base = live_server.base_url
    waiting = []
    for i in range(3):
        s = await Client(base, "/seeker", await seeker_token(base)).connect()
        ack = await s.ok("request_chat", {"topic": "talk", "language": "en", "text": f"hi, just a chat {i}"})
        waiting.append((s, ack["conversation_id"]))
    crisis = await Client(base, "/seeker", await seeker_token(base)).connect()
    ack = await crisis.ok("request_chat", {"topic": "talk", "language": "en", "text": CRISIS})
    await crisis.wait_for("crisis_resources", timeout=1.0)
    await supervisor.wait_for("escalation", lambda e: e["conversation_id"] == ack["conversation_id"], timeout=1.0)
    assert ack["position"] == 1  # ahead of the three who waited longer

    def told_they_are_behind() -> bool:
        return all(len(s.events["queue"]) == 0 or s.events["queue"][-1]["position"] > 1 for s, _ in waiting)

    for _ in range(50):  # queue updates are coalesced (QUEUE_UPDATE_INTERVAL_S): the next one says so
        if told_they_are_behind():
            break
        await asyncio.sleep(0.1)
    assert told_they_are_behind()
    await listener.ok("set_status", {"status": "available", "max_chats": 1})
    assigned = await listener.wait_for("assigned")
    assert assigned["conversation"]["conversation_id"] == ack["conversation_id"]
    assert assigned["conversation"]["severity"] == "imminent"
    assert [m["text"] for m in assigned["messages"]] == [CRISIS]
    # flagged while waiting, so nobody got the `risk` event then: the listener is told with the assignment
    (brief,) = assigned["risk"]
    assert brief["conversation_id"] == ack["conversation_id"] and brief["severity"] == "imminent"
    assert brief["message_id"] == assigned["messages"][0]["id"] and brief["evidence"]
    assert all(word in CRISIS for word in brief["evidence"]) and brief["resources_shown"] is True
    assert listener.events["risk"] == []
    for s, _ in waiting:
        assert s.events["matched"] == []
        await s.close()
    await crisis.close()


async def test_a_listener_who_takes_a_flagged_chat_is_told_why(live_server, backends, people) -> None:
    listener, supervisor = people
    base = live_server.base_url
    crisis = await Client(base, "/seeker", await seeker_token(base)).connect()
    ack = await crisis.ok("request_chat", {"topic": "talk", "language": "en", "text": CRISIS})
    flagged = await supervisor.wait_for("escalation", lambda e: e["conversation_id"] == ack["conversation_id"])
    await supervisor.ok("ack", {"escalation_id": flagged["escalation_id"]})
    calm = await Client(base, "/seeker", await seeker_token(base)).connect()
    other = await calm.ok("request_chat", {"topic": "talk", "language": "en", "text": "hi, just a chat"})
    await listener.ok("set_status", {"status": "away", "max_chats": 2})
    taken = await listener.ok("take", {"conversation_id": ack["conversation_id"]})
    (brief,) = taken["risk"]
    assert brief["escalation_id"] == flagged["escalation_id"] and brief["status"] == "acknowledged"
    plain = await listener.ok("take", {"conversation_id": other["conversation_id"]})
    assert plain["risk"] == []  # a chat with no crisis says so
    # a console reloaded later gets the crisis panel back; the seeker is never shown the evidence
    resumed = await listener.ok("resume", {"conversation_id": ack["conversation_id"], "after_seq": 0})
    assert [b["escalation_id"] for b in resumed["risk"]] == [flagged["escalation_id"]]
    assert "risk" not in await crisis.ok("resume", {"conversation_id": ack["conversation_id"], "after_seq": 0})
    await crisis.close()
    await calm.close()


async def test_listener_escalation_and_supervisor_actions(live_server, backends, people) -> None:
    listener, supervisor = people
    base = live_server.base_url
    await listener.ok("set_status", {"status": "available"})
    seeker = await Client(base, "/seeker", await seeker_token(base)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")

    bad = await listener.call("escalate", {"conversation_id": cid})
    assert bad["error"]["code"] == "invalid"  # reason required
    esc = await listener.ok(
        "escalate", {"conversation_id": cid, "reason": "worried about them", "show_resources": True}
    )
    await seeker.wait_for("crisis_resources")
    alert = await supervisor.wait_for("escalation", lambda e: e["escalation_id"] == esc["escalation_id"])
    assert alert["source"] == "listener" and alert["severity"] == "high" and alert["category"] is None

    listed = await supervisor.ok("list_escalations", {"status": "open"})
    assert [e["escalation_id"] for e in listed["escalations"]] == [esc["escalation_id"]]
    acked = await supervisor.ok("ack", {"escalation_id": esc["escalation_id"]})
    assert acked["escalation"]["status"] == "acknowledged"
    again = await supervisor.ok("ack", {"escalation_id": esc["escalation_id"]})
    assert again["escalation"]["status"] == "acknowledged"
    update = await supervisor.wait_for("escalation_update")
    assert update["status"] == "acknowledged"

    joined = await supervisor.ok("join", {"conversation_id": cid})
    assert joined["conversation"]["conversation_id"] == cid
    await seeker.ok("message", {"conversation_id": cid, "client_id": "m1", "text": "are you still there"})
    live = await supervisor.wait_for("message", lambda m: m["client_id"] == "m1")
    assert live["sender"] == "seeker"

    whisper = await supervisor.ok(
        "message", {"conversation_id": cid, "client_id": "w1", "text": "ask about safety", "visibility": "staff"}
    )
    assert whisper["message"]["seq"] is None and whisper["message"]["visibility"] == "staff"
    got = await listener.wait_for("message", lambda m: m["client_id"] == "w1")
    assert got["visibility"] == "staff" and got["sender"] == "supervisor"
    to_all = await supervisor.ok(
        "message", {"conversation_id": cid, "client_id": "a1", "text": "hello from a supervisor", "visibility": "all"}
    )
    await seeker.wait_for("message", lambda m: m["client_id"] == "a1")
    await listener.wait_for("message", lambda m: m["client_id"] == "a1")
    assert to_all["message"]["seq"] == 2
    assert all(m["visibility"] == "all" for m in seeker.events["message"])
    resumed = await seeker.ok("resume", {"conversation_id": cid, "after_seq": 0})
    assert [m["client_id"] for m in resumed["messages"]] == ["m1", "a1"]
    staff_view = await listener.ok("resume", {"conversation_id": cid, "after_seq": 0})
    assert [m["client_id"] for m in staff_view["messages"]] == ["m1", "w1", "a1"]
    staff_after = await listener.ok("resume", {"conversation_id": cid, "after_seq": 1})
    assert [m["client_id"] for m in staff_after["messages"]] == ["w1", "a1"]

    taken = await supervisor.ok("take_over", {"conversation_id": cid})
    assert taken["conversation"]["listener"] == {"display_name": "Sam"}
    released = await listener.wait_for("released")
    assert released == {"conversation_id": cid, "by": "supervisor", "reason": "take_over"}
    assert (await listener.call("message", {"conversation_id": cid, "client_id": "x", "text": "hi"}))["error"][
        "code"
    ] == "forbidden"
    await seeker.ok("message", {"conversation_id": cid, "client_id": "m2", "text": "who is this"})
    await supervisor.wait_for("message", lambda m: m["client_id"] == "m2")

    resolved = await supervisor.ok(
        "resolve", {"escalation_id": esc["escalation_id"], "outcome": "de_escalated", "note": "talked it through"}
    )
    assert resolved["escalation"]["status"] == "resolved" and resolved["escalation"]["outcome"] == "de_escalated"
    twice = await supervisor.call("resolve", {"escalation_id": esc["escalation_id"], "outcome": "other", "note": ""})
    assert twice["error"]["code"] == "conflict"

    actions = [
        r["action"]
        for r in await rows(
            backends.database_url, "select action from audit_log where conversation_id = $1::uuid order by id", cid
        )
    ]
    assert actions == ["ack", "join", "whisper", "message", "take_over", "resolve"]
    await seeker.close()


async def test_supervisor_bad_input(live_server, backends, people) -> None:
    _, supervisor = people
    unknown = "00000000-0000-4000-8000-000000000001"
    assert (await supervisor.call("ack", {"escalation_id": unknown}))["error"]["code"] == "not_found"
    assert (await supervisor.call("resolve", {"escalation_id": unknown, "outcome": "other"}))["error"][
        "code"
    ] == "not_found"
    assert (await supervisor.call("join", {"conversation_id": unknown}))["error"]["code"] == "not_found"
    assert (await supervisor.call("take_over", {"conversation_id": unknown}))["error"]["code"] == "not_found"
    for event, payload in [
        ("ack", {}),
        ("ack", {"escalation_id": 3}),
        ("resolve", {"escalation_id": unknown, "outcome": "fixed"}),
        ("resolve", {"escalation_id": unknown, "outcome": "other", "note": "n" * 2001}),
        ("list_escalations", {"status": "closed"}),
        ("message", {"conversation_id": unknown, "client_id": "a", "text": "hi"}),  # visibility required
        ("message", {"conversation_id": unknown, "client_id": "a", "text": "hi", "visibility": "secret"}),
        ("join", []),
    ]:
        assert (await supervisor.call(event, payload))["error"]["code"] == "invalid", (event, payload)


async def test_crisis_resources_come_from_configuration_per_language(backends, tmp_path) -> None:
    from tests.support import ServerProcess

    resources = tmp_path / "resources.yaml"
    resources.write_text(
        "en:\n  - {name: Local Line, how: Call 0800 000 000, available: nights}\n"
        "es:\n  - {name: Línea local, how: Llama al 0800 000 000, available: noches}\n",
        encoding="utf-8",
    )
    server = ServerProcess(
        backends.server_env(CRISIS_RESOURCES_FILE=str(resources), REDIS_URL=backends.isolated_redis_url())
    ).start()
    try:
        expected = {
            "en": [{"name": "Local Line", "how": "Call 0800 000 000", "available": "nights"}],
            "es": [{"name": "Línea local", "how": "Llama al 0800 000 000", "available": "noches"}],
        }
        for language, wanted in expected.items():
            seeker = await Client(server.base_url, "/seeker", await seeker_token(server.base_url, language)).connect()
            await seeker.ok("request_chat", {"topic": "talk", "language": language, "text": CRISIS})
            got = await seeker.wait_for("crisis_resources", timeout=1.0)
            assert got["resources"] == wanted
            await seeker.close()
    finally:
        server.stop()


async def test_a_watching_supervisors_typing_reaches_staff_only(live_server, backends, people) -> None:
    """A supervisor who joined but did not take over is invisible to the seeker, typing included."""
    listener, supervisor = people
    await listener.ok("set_status", {"status": "available"})
    seeker = await Client(live_server.base_url, "/seeker", await seeker_token(live_server.base_url)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")
    await supervisor.ok("join", {"conversation_id": cid})
    await supervisor.ok("typing", {"conversation_id": cid, "typing": True})
    seen = await listener.wait_for("typing", lambda t: t["sender"] == "supervisor")
    assert seen == {"conversation_id": cid, "sender": "supervisor", "typing": True}
    # the listener's own typing comes after the supervisor's: once the seeker has it, the other would be there
    await listener.ok("typing", {"conversation_id": cid, "typing": True})
    await seeker.wait_for("typing", lambda t: t["sender"] == "listener")
    assert [t["sender"] for t in seeker.events["typing"]] == ["listener"]

    await supervisor.ok("take_over", {"conversation_id": cid})  # now the responder: the seeker sees them type
    await supervisor.ok("typing", {"conversation_id": cid, "typing": True})
    typed = await seeker.wait_for("typing", lambda t: t["sender"] == "supervisor")
    assert typed["conversation_id"] == cid
    await seeker.close()
