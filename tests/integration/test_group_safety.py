"""No crisis in a group goes unseen: resources to the member alone, ``risk`` to the facilitator,
an escalation to supervisors (ack, re-alert) — and the facilitator's tools: mute, remove, pin,
delete for everyone (kept for supervisors), report, end, invite to a private one-to-one."""

from __future__ import annotations

import asyncio

import pytest

from tests.groups_support import GUIDELINES, drop_in, fetch, join, make_facilitator, seeker_client, staff_client
from tests.support import Client, ServerProcess, create_user, login

CRISIS = "i am going to kill myself tonight, the pills are ready"


@pytest.fixture
def realerting_server(backends):
    # its own Redis db: the session's live server must not be the one holding the jobs lock (re-alerts)
    server = ServerProcess(
        backends.server_env(ESCALATION_REALERT_S="1", REDIS_URL=backends.isolated_redis_url())
    ).start()
    yield server
    server.stop()


async def test_a_member_at_risk_is_seen_by_facilitator_and_supervisors(realerting_server, backends) -> None:
    base = realerting_server.base_url
    await make_facilitator(backends.database_url, "fran")
    await create_user(backends.database_url, "sam", role="supervisor")
    fac = await staff_client(base, "fran")
    supervisor = await Client(base, "/supervisor", await login(base, "sam")).connect()
    group_id, session_id = await drop_in(fac, title="Thursday recovery circle")
    await fac.ok("facilitate", {"session_id": session_id})
    at_risk, other = await seeker_client(base), await seeker_client(base)
    seat = await join(at_risk, session_id, "River")
    await join(other, session_id, "Lake")
    await at_risk.ok("message", {"session_id": session_id, "client_id": "r1", "text": "rough week for me"})

    sent = (await at_risk.ok("message", {"session_id": session_id, "client_id": "r2", "text": CRISIS}))["message"]
    resources = await at_risk.wait_for("crisis_resources", timeout=2)
    assert resources["session_id"] == session_id and resources["resources"]
    risk = await fac.wait_for("risk", timeout=2)
    assert risk["alias"] == "River" and risk["member_id"] == seat["member"]["member_id"]
    assert risk["session_id"] == session_id and risk["message_id"] == sent["id"] and risk["category"] == "suicide"
    alert = await supervisor.wait_for("escalation", timeout=2)
    assert alert["conversation_id"] is None and alert["status"] == "open"
    assert alert["group"] == {
        "group_id": group_id,
        "session_id": session_id,
        "member_id": seat["member"]["member_id"],
        "title": "Thursday recovery circle",
        "alias": "River",
        "message_id": sent["id"],
    }
    assert alert["evidence"] and alert["escalation_id"] == risk["escalation_id"]
    # the other member sees the message, never the resources nor the risk
    await other.wait_for("message", lambda m: m["seq"] == sent["seq"])
    await asyncio.sleep(0.3)
    assert not other.events["crisis_resources"] and not other.events["risk"]
    assert not fac.events["crisis_resources"]

    # re-announced until acknowledged, then never again
    again = await supervisor.wait_for("escalation", lambda e: e is not alert, timeout=5)
    assert again["escalation_id"] == alert["escalation_id"]
    acked = (await supervisor.ok("ack", {"escalation_id": alert["escalation_id"]}))["escalation"]
    assert acked["status"] == "acknowledged" and acked["group"]["alias"] == "River"
    listed = (await supervisor.ok("list_escalations", {"status": "acknowledged"}))["escalations"]
    assert [e["escalation_id"] for e in listed] == [alert["escalation_id"]]
    count = len(supervisor.events["escalation"])
    await asyncio.sleep(2.5)
    assert len(supervisor.events["escalation"]) == count
    # the same crisis again adds words, it does not raise a second escalation
    await at_risk.ok("message", {"session_id": session_id, "client_id": "r3", "text": CRISIS})
    await asyncio.sleep(0.5)
    rows = await fetch(backends.database_url, "select count(*) from escalations")
    assert rows[0][0] == 1
    for c in (at_risk, other, fac, supervisor):
        await c.close()


async def test_moderation_mute_remove_pin_delete_report_end(live_server, backends) -> None:
    base = live_server.base_url
    await make_facilitator(backends.database_url, "fran")
    await create_user(backends.database_url, "sam", role="supervisor")
    fac = await staff_client(base, "fran")
    sam = await staff_client(base, "sam")
    supervisor = await Client(base, "/supervisor", await login(base, "sam")).connect()
    _, session_id = await drop_in(fac)
    await fac.ok("facilitate", {"session_id": session_id})
    a, b = await seeker_client(base), await seeker_client(base)
    await join(a, session_id, "River")
    b_id = (await join(b, session_id, "Lake"))["member"]["member_id"]

    # pin the guidelines
    await fac.ok("pin", {"session_id": session_id})
    pinned = await a.wait_for("pinned")
    assert pinned == {"session_id": session_id, "pinned": True, "guidelines": GUIDELINES}

    # delete for everyone: a tombstone for members, the words and the reason for supervisors
    rude = (await b.ok("message", {"session_id": session_id, "client_id": "b1", "text": "an unkind remark"}))["message"]
    watched = await sam.ok("watch", {"session_id": session_id})
    assert [m["seq"] for m in watched["messages"]] == [rude["seq"]]
    await fac.ok("delete_message", {"session_id": session_id, "message_id": rude["id"], "reason": "unkind"})
    tomb = await a.wait_for("message_deleted")
    assert tomb == {"session_id": session_id, "message_id": rude["id"], "seq": rude["seq"]}
    seen = await sam.wait_for("message_deleted")
    assert seen["text"] == "an unkind remark" and seen["reason"] == "unkind"
    resumed = (await a.ok("resume", {"session_id": session_id}))["messages"]
    assert resumed[0]["deleted"] is True and resumed[0]["text"] is None
    staff_view = (await sam.ok("resume", {"session_id": session_id}))["messages"]
    assert staff_view[0]["text"] == "an unkind remark" and staff_view[0]["delete_reason"] == "unkind"
    audit = await fetch(backends.database_url, "select action from audit_log order by id")
    assert [r["action"] for r in audit][:2] == ["group_watch", "group_delete_message"]

    # any member can report; facilitators and supervisors hear of it with the message id
    other = (await b.ok("message", {"session_id": session_id, "client_id": "b2", "text": "another remark"}))["message"]
    report = await a.ok("report", {"session_id": session_id, "message_id": other["id"], "reason": "hurtful"})
    told = await fac.wait_for("report")
    assert told["message_id"] == other["id"] and told["report_id"] == report["report_id"]
    assert told["reported_by"] == "River" and told["alias"] == "Lake"
    assert (await supervisor.wait_for("group_report"))["message_id"] == other["id"]

    # mute: reads, cannot write; unmute
    await fac.ok("mute", {"session_id": session_id, "member_id": b_id})
    assert (await a.wait_for("member_muted"))["muted"] is True
    assert (await b.call("message", {"session_id": session_id, "client_id": "b3", "text": "x"}))["reason"] == "muted"
    await a.ok("message", {"session_id": session_id, "client_id": "a1", "text": "still here"})
    await b.wait_for("message", lambda m: m["client_id"] == "a1")
    await fac.ok("mute", {"session_id": session_id, "member_id": b_id, "muted": False})
    await b.ok("message", {"session_id": session_id, "client_id": "b3", "text": "thank you"})

    # remove: out of the room at once, cannot come back
    await fac.ok("remove", {"session_id": session_id, "member_id": b_id, "reason": "repeated"})
    assert (await b.wait_for("member_removed"))["member_id"] == b_id
    await asyncio.sleep(0.3)
    count = len(b.events["message"])
    await a.ok("message", {"session_id": session_id, "client_id": "a2", "text": "after they left"})
    await fac.wait_for("message", lambda m: m["client_id"] == "a2")
    await asyncio.sleep(0.3)
    assert len(b.events["message"]) == count
    rejoin = await b.call("join", {"session_id": session_id, "alias": "Lake", "accept_guidelines": True})
    assert rejoin["reason"] == "removed"
    seats = (await a.ok("list_sessions"))["sessions"][0]["seats_left"]
    assert seats == 11

    # end
    await fac.ok("end_session", {"session_id": session_id})
    assert (await a.wait_for("session_ended"))["by"] == "facilitator"
    assert (await a.ok("list_sessions"))["sessions"] == []
    for c in (a, b, fac, sam, supervisor):
        await c.close()


async def test_a_member_leaves_and_erases_their_words(live_server, backends) -> None:
    base = live_server.base_url
    await make_facilitator(backends.database_url, "fran")
    fac = await staff_client(base, "fran")
    _, session_id = await drop_in(fac)
    await fac.ok("facilitate", {"session_id": session_id})
    a, b = await seeker_client(base), await seeker_client(base)
    await join(a, session_id, "River")
    await join(b, session_id, "Lake")
    await a.ok("message", {"session_id": session_id, "client_id": "a1", "text": "something private"})
    await b.ok("message", {"session_id": session_id, "client_id": "b1", "text": "a reply"})
    assert (await a.ok("leave", {"session_id": session_id, "erase": True}))["erased_messages"] == 1
    assert (await b.wait_for("member_erased"))["erased"] == 1
    history = (await b.ok("resume", {"session_id": session_id}))["messages"]
    assert [(m["seq"], m["text"], m["erased"]) for m in history] == [(1, None, True), (2, "a reply", False)]
    assert (await a.call("message", {"session_id": session_id, "client_id": "a2", "text": "x"}))[
        "reason"
    ] == "not_member"
    # the seat is free again, and the alias is theirs if they come back
    assert (await b.ok("list_sessions"))["sessions"][0]["seats_left"] == 11
    assert (await join(a, session_id, "River"))["member"]["alias"] == "River"
    for c in (a, b, fac):
        await c.close()


async def test_invite_to_a_private_one_to_one_at_the_front_of_the_queue(live_server, backends) -> None:
    base = live_server.base_url
    await make_facilitator(backends.database_url, "fran")
    await create_user(backends.database_url, "lee", role="listener", topics=("recovery",))
    fac = await staff_client(base, "fran")
    _, session_id = await drop_in(fac)
    member = await seeker_client(base)
    seat = await join(member, session_id, "River")
    await member.ok("message", {"session_id": session_id, "client_id": "r1", "text": "i feel so alone lately"})
    invited = await fac.ok("invite", {"session_id": session_id, "member_id": seat["member"]["member_id"]})
    note = await member.wait_for("invited")
    assert note["conversation_id"] == invited["conversation_id"]
    again = await fac.call("invite", {"session_id": session_id, "member_id": seat["member"]["member_id"]})
    assert again["reason"] == "open_conversation" and again["conversation_id"] == invited["conversation_id"]

    listener = await Client(base, "/listener", await login(base, "lee")).connect()
    await listener.ok("set_status", {"status": "available"})
    assigned = await listener.wait_for("assigned")
    assert assigned["conversation"]["conversation_id"] == invited["conversation_id"]
    assert assigned["conversation"]["severity"] == "high"
    attached = [m for m in assigned["messages"] if m["visibility"] == "staff"]
    assert len(attached) == 1 and "i feel so alone lately" in attached[0]["text"] and "River" in attached[0]["text"]
    for c in (member, fac, listener):
        await c.close()


@pytest.fixture
def unpaired_server(backends):
    # no periodic pairing (its own Redis db, a pairing interval longer than the test): only `invite` pairs
    server = ServerProcess(
        backends.server_env(PAIRING_INTERVAL_S="600", REDIS_URL=backends.isolated_redis_url())
    ).start()
    yield server
    server.stop()


async def test_a_member_at_risk_invited_to_a_named_listener_brings_the_crisis_with_them(
    unpaired_server, backends
) -> None:
    base = unpaired_server.base_url
    await make_facilitator(backends.database_url, "fran")
    await create_user(backends.database_url, "sam", role="supervisor")
    await create_user(backends.database_url, "lee", role="listener", topics=("recovery",))
    ana_id = await create_user(backends.database_url, "ana", role="listener", topics=("recovery",))
    fac = await staff_client(base, "fran")
    supervisor = await Client(base, "/supervisor", await login(base, "sam")).connect()
    lee = await Client(base, "/listener", await login(base, "lee")).connect()
    ana = await Client(base, "/listener", await login(base, "ana")).connect()
    for listener in (lee, ana):
        await listener.ok("set_status", {"status": "available"})
    _, session_id = await drop_in(fac)
    member = await seeker_client(base)
    seat = await join(member, session_id, "River")
    await member.ok("message", {"session_id": session_id, "client_id": "r1", "text": CRISIS})
    alert = await supervisor.wait_for("escalation", timeout=2)
    assert alert["conversation_id"] is None

    invited = await fac.ok(
        "invite", {"session_id": session_id, "member_id": seat["member"]["member_id"], "listener_id": ana_id}
    )
    assert invited["handed_to"] == ana_id
    assigned = await ana.wait_for("assigned")
    assert assigned["conversation"]["conversation_id"] == invited["conversation_id"]
    assert assigned["conversation"]["severity"] == alert["severity"]
    # the listener sees the crisis as in any escalated chat: the group's escalation is now the conversation's
    (brief,) = assigned["risk"]
    assert brief["escalation_id"] == alert["escalation_id"]
    assert brief["evidence"] == [e["text"] for e in alert["evidence"]]
    linked = await supervisor.wait_for("escalation_update", lambda e: e["escalation_id"] == alert["escalation_id"])
    assert linked["conversation_id"] == invited["conversation_id"] and linked["group"] == alert["group"]
    await asyncio.sleep(0.3)
    assert lee.events["assigned"] == []
    # an acknowledgement now reaches the listener of the conversation
    await supervisor.ok("ack", {"escalation_id": alert["escalation_id"]})
    status = await ana.wait_for("escalation_status")
    assert status["conversation_id"] == invited["conversation_id"] and status["status"] == "acknowledged"
    for c in (member, fac, supervisor, lee, ana):
        await c.close()


async def test_an_invite_to_an_unknown_or_unavailable_listener_still_queues_the_member(live_server, backends) -> None:
    base = live_server.base_url
    await make_facilitator(backends.database_url, "fran")
    away_id = await create_user(backends.database_url, "kai", role="listener", topics=("recovery",))
    fac = await staff_client(base, "fran")
    _, session_id = await drop_in(fac)
    member = await seeker_client(base)
    seat = await join(member, session_id, "River")
    for n, listener_id in enumerate((away_id, "00000000-0000-4000-8000-000000000000", "not-an-id", 42, "x" * 65)):
        other = await seeker_client(base)
        other_seat = await join(other, session_id, f"Lake {n}")
        answer = await fac.call(
            "invite",
            {"session_id": session_id, "member_id": other_seat["member"]["member_id"], "listener_id": listener_id},
        )
        if isinstance(listener_id, int) or len(listener_id) > 64:  # not an id at all: the payload is refused
            assert answer["ok"] is False and answer["error"]["code"] == "invalid"
        else:  # no such listener, or one who is not on duty: queued at the front, never refused
            assert answer["ok"] is True and answer["handed_to"] is None and answer["conversation_id"]
        await other.close()
    assert (await fac.ok("invite", {"session_id": session_id, "member_id": seat["member"]["member_id"]}))[
        "handed_to"
    ] is None
    for c in (member, fac):
        await c.close()
