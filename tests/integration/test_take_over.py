"""A supervisor steps in: names stay true, the take-over survives a reload, the crisis card follows.

Issue 15 (items 2, 3, 7, 8): after a take-over and a dashboard reload the supervisor's words went to staff
only; earlier listener messages were relabelled with the supervisor's name; the cards kept re-alerting
while the supervisor was already in the chat; a later, more explicit message added nothing.
"""

from __future__ import annotations

import asyncio
import json

import asyncpg
import pytest

from tests.support import Client, create_user, login, seeker_token

IMMINENT = "i am going to kill myself tonight, the pills are ready"
LATER = "i have the pills in my hand right now and i am taking them"


async def rows(database_url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


@pytest.fixture
async def chat(live_server, backends):
    """A seeker paired with listener Lee, and supervisor Sam on the dashboard."""
    base = live_server.base_url
    await create_user(backends.database_url, "lee", role="listener", display_name="Lee")
    await create_user(backends.database_url, "sam", role="supervisor", display_name="Sam")
    listener = await Client(base, "/listener", await login(base, "lee")).connect()
    supervisor = await Client(base, "/supervisor", await login(base, "sam")).connect()
    await listener.ok("set_status", {"status": "available"})
    seeker = await Client(base, "/seeker", await seeker_token(base)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")
    yield seeker, listener, supervisor, cid
    for client in (seeker, listener, supervisor):
        await client.close()


async def test_take_over_keeps_names_tells_the_seeker_and_survives_a_reload(live_server, backends, chat) -> None:
    seeker, listener, supervisor, cid = chat
    base = live_server.base_url
    first = await listener.ok("message", {"conversation_id": cid, "client_id": "l1", "text": "hi, I'm here"})
    assert first["message"]["sender_name"] == "Lee"
    await seeker.ok("message", {"conversation_id": cid, "client_id": "s1", "text": IMMINENT})
    alert = await supervisor.wait_for("escalation")
    assert alert["status"] == "open" and alert["topic"] == "talk" and alert["language"] == "en"

    # joining the conversation acknowledges its open escalation: no re-alert, no page
    await supervisor.ok("join", {"conversation_id": cid})
    update = await supervisor.wait_for("escalation_update", lambda e: e["escalation_id"] == alert["escalation_id"])
    assert update["status"] == "acknowledged" and update["acknowledged_by"] == {"display_name": "Sam"}
    await supervisor.ok(
        "message", {"conversation_id": cid, "client_id": "w1", "text": "ask gently", "visibility": "staff"}
    )

    taken = await supervisor.ok("take_over", {"conversation_id": cid})
    assert taken["taken_over"] is True and taken["conversation"]["responder_role"] == "supervisor"
    line = taken["message"]
    assert line["sender"] == "system" and line["text"] == "Sam, a supervisor, has joined to help."
    told = await seeker.wait_for("message", lambda m: m["sender"] == "system")
    assert told["text"] == "Sam, a supervisor, has joined to help." and told["seq"] == line["seq"]
    await listener.wait_for("released")
    card = await supervisor.wait_for("escalation_update", lambda e: e["taken_over_by"] is not None)
    assert card["taken_over_by"] == {"display_name": "Sam"} and card["listener"] is None

    # with no listener left, a whisper would reach nobody who can act on it: refused, nothing stored
    refused = await supervisor.call(
        "message", {"conversation_id": cid, "client_id": "w2", "text": "anyone there", "visibility": "staff"}
    )
    assert refused["ok"] is False and refused["error"]["code"] == "conflict"
    assert "no listener" in refused["error"]["message"]
    assert not await rows(backends.database_url, "select 1 from messages where client_id = 'w2'")
    await supervisor.ok(
        "message", {"conversation_id": cid, "client_id": "a1", "text": "I'm with you", "visibility": "all"}
    )

    # a reloaded dashboard learns which conversations this supervisor answers
    await supervisor.close()
    again = await Client(base, "/supervisor", await login(base, "sam")).connect()
    try:
        mine = await again.ok("list_conversations")
        assert [c["conversation_id"] for c in mine["conversations"]] == [cid]
        joined = await again.ok("join", {"conversation_id": cid})
        assert joined["taken_over"] is True
        resumed = await again.ok("resume", {"conversation_id": cid, "after_seq": 0})
        assert resumed["taken_over"] is True
    finally:
        await again.close()

    # every stored message keeps the name its sender had; the seeker never learns a staff login
    history = (await seeker.ok("resume", {"conversation_id": cid, "after_seq": 0}))["messages"]
    by_client = {m["client_id"]: m for m in history}
    assert by_client["l1"]["sender"] == "listener" and by_client["l1"]["sender_name"] == "Lee"
    assert by_client["a1"]["sender"] == "supervisor" and by_client["a1"]["sender_name"] == "Sam"
    assert by_client["s1"]["sender_name"] is None
    assert all(m["visibility"] == "all" for m in history)

    # another supervisor watching sees that Sam, not a listener, answers now
    listed = await rows(backends.database_url, "select status from escalations where conversation_id = $1::uuid", cid)
    assert [r["status"] for r in listed] == ["acknowledged"]
    acks = await rows(
        backends.database_url,
        "select detail from audit_log where conversation_id = $1::uuid and action = 'ack'",
        cid,
    )
    assert len(acks) == 1


async def test_a_whisper_where_a_listener_is_present_still_works_and_foreign_chats_are_forbidden(
    live_server, backends, chat
) -> None:
    _, listener, supervisor, cid = chat
    not_joined = await supervisor.call(
        "message", {"conversation_id": cid, "client_id": "w0", "text": "hello", "visibility": "staff"}
    )
    assert not_joined["error"]["code"] == "forbidden"
    await supervisor.ok("join", {"conversation_id": cid})
    whisper = await supervisor.ok(
        "message", {"conversation_id": cid, "client_id": "w1", "text": "ask gently", "visibility": "staff"}
    )
    assert whisper["message"]["sender_name"] == "Sam"
    got = await listener.wait_for("message", lambda m: m["client_id"] == "w1")
    assert got["visibility"] == "staff"


async def test_a_later_explicit_message_updates_the_open_escalation_live(live_server, backends, chat) -> None:
    seeker, _, supervisor, cid = chat
    await seeker.ok("message", {"conversation_id": cid, "client_id": "s1", "text": IMMINENT})
    alert = await supervisor.wait_for("escalation")
    await seeker.ok("message", {"conversation_id": cid, "client_id": "s2", "text": LATER})
    update = await supervisor.wait_for("escalation_update", lambda e: e["escalation_id"] == alert["escalation_id"])
    texts = [e["text"] for e in update["evidence"]]
    assert any("in my hand" in t for t in texts) and any("kill myself" in t for t in texts)
    assert update["updated_at"] is not None and update["status"] == "open"
    assert len(supervisor.events["escalation"]) == 1  # no second card for the same crisis
    # the same words again change nothing and tell nobody again
    await seeker.ok("message", {"conversation_id": cid, "client_id": "s3", "text": LATER})
    await seeker.wait_for("crisis_resources", lambda _: len(seeker.events["crisis_resources"]) >= 3)
    await asyncio.sleep(0.5)
    assert len(supervisor.events["escalation_update"]) == 1
    stored = await rows(backends.database_url, "select evidence from escalations where conversation_id = $1::uuid", cid)
    assert len(stored) == 1 and len(json.loads(stored[0]["evidence"])) == len(update["evidence"])


async def test_severity_rises_on_the_open_escalation(live_server, backends, chat) -> None:
    seeker, listener, supervisor, cid = chat
    await seeker.ok("message", {"conversation_id": cid, "client_id": "s1", "text": "i want to kill myself"})
    high = await supervisor.wait_for("escalation", lambda e: e["source"] == "detector")
    assert high["severity"] == "high"
    await listener.ok("escalate", {"conversation_id": cid, "reason": "very worried", "severity": "imminent"})
    await supervisor.wait_for("escalation", lambda e: e["source"] == "listener")
    await seeker.ok("message", {"conversation_id": cid, "client_id": "s2", "text": "the pills are in my hand now"})
    rose = await supervisor.wait_for("escalation_update", lambda e: e["escalation_id"] == high["escalation_id"])
    assert rose["severity"] == "imminent" and rose["category"] == "suicide"
    risk = await listener.wait_for(
        "risk", lambda r: r["escalation_id"] == high["escalation_id"] and r["severity"] == "imminent"
    )
    assert risk["conversation_id"] == cid


async def test_no_supervisor_notice_says_what_really_happened(live_server, backends) -> None:
    """No pager configured (the shared test server): the notice must not claim one was called."""
    base = live_server.base_url
    await create_user(backends.database_url, "lee", role="listener", display_name="Lee")
    listener = await Client(base, "/listener", await login(base, "lee")).connect()
    seeker = await Client(base, "/seeker", await seeker_token(base)).connect()
    try:
        await listener.ok("set_status", {"status": "available"})
        cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
        await listener.wait_for("assigned")
        await seeker.ok("message", {"conversation_id": cid, "client_id": "s1", "text": IMMINENT})
        notice = await listener.wait_for("notice")
        assert notice["code"] == "no_supervisor_online" and notice["conversation_id"] == cid
        assert notice["paging"] is False
        assert "pager" in notice["message"] and "has been called" not in notice["message"]
    finally:
        await listener.close()
        await seeker.close()


async def test_the_listener_learns_who_acknowledged_and_whether_resources_were_shown(live_server, chat) -> None:
    seeker, listener, supervisor, cid = chat
    manual = await listener.ok("escalate", {"conversation_id": cid, "reason": "worried", "show_resources": False})
    risk = await listener.wait_for("risk", lambda r: r["escalation_id"] == manual["escalation_id"])
    assert risk["resources_shown"] is False and risk["message_id"] is None and risk["status"] == "open"
    await seeker.ok("message", {"conversation_id": cid, "client_id": "s1", "text": IMMINENT})
    flagged = await listener.wait_for("risk", lambda r: r["escalation_id"] != manual["escalation_id"])
    assert flagged["resources_shown"] is True and flagged["evidence"]
    await supervisor.ok("ack", {"escalation_id": flagged["escalation_id"]})
    status = await listener.wait_for("escalation_status", lambda e: e["escalation_id"] == flagged["escalation_id"])
    assert status == {
        "conversation_id": cid,
        "escalation_id": flagged["escalation_id"],
        "status": "acknowledged",
        "acknowledged_by": {"display_name": "Sam"},
    }
    # joining acknowledges the other one, and the listener hears of it too
    await supervisor.ok("join", {"conversation_id": cid})
    joined = await listener.wait_for("escalation_status", lambda e: e["escalation_id"] == manual["escalation_id"])
    assert joined["status"] == "acknowledged"


async def test_the_crisis_guide_comes_from_configuration(backends, tmp_path) -> None:
    from tests.support import ServerProcess

    guide = tmp_path / "guide.yaml"
    guide.write_text("title: Our guide\nsteps:\n  - Breathe with them.\n  - Call the duty phone.\n", encoding="utf-8")
    server = ServerProcess(
        backends.server_env(CRISIS_GUIDE_FILE=str(guide), REDIS_URL=backends.isolated_redis_url())
    ).start()
    try:
        await create_user(backends.database_url, "lee", role="listener", display_name="Lee")
        listener = await Client(server.base_url, "/listener", await login(server.base_url, "lee")).connect()
        await listener.ok("set_status", {"status": "available"})
        seeker = await Client(server.base_url, "/seeker", await seeker_token(server.base_url)).connect()
        cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
        await listener.wait_for("assigned")
        await seeker.ok("message", {"conversation_id": cid, "client_id": "s1", "text": IMMINENT})
        risk = await listener.wait_for("risk")
        assert risk["guide"] == {"title": "Our guide", "steps": ["Breathe with them.", "Call the duty phone."]}
        await seeker.close()
        await listener.close()
    finally:
        server.stop()
    guide.write_text("title: Our guide\nsteps: []\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="steps"):  # a bad edit fails at start-up, not during a crisis
        ServerProcess(
            backends.server_env(CRISIS_GUIDE_FILE=str(guide), REDIS_URL=backends.isolated_redis_url())
        ).start()
