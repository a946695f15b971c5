"""Support groups end to end on a real server: create, list, join, talk, resume, typing, bad input."""

from __future__ import annotations

import asyncio

from tests.groups_support import GUIDELINES, drop_in, fetch, join, make_facilitator, seeker_client, staff_client
from tests.support import get_json


async def test_a_facilitator_runs_a_drop_in_and_members_talk_under_aliases(live_server, backends) -> None:
    base = live_server.base_url
    await make_facilitator(backends.database_url, "fran", display_name="Fran")
    fac = await staff_client(base, "fran")
    _, session_id = await drop_in(fac)

    listed = (await fac.ok("list_sessions"))["sessions"]
    assert [s["session_id"] for s in listed] == [session_id]
    assert listed[0]["state"] == "open" and listed[0]["seats_left"] == 12 and listed[0]["guidelines"] == GUIDELINES
    status, body = await get_json(base, "/api/group-sessions")
    assert status == 200 and body["sessions"][0]["session_id"] == session_id

    room = await fac.ok("facilitate", {"session_id": session_id})
    assert room["member"]["role"] == "facilitator" and room["member"]["alias"] == "Fran"

    a, b = await seeker_client(base), await seeker_client(base)
    seat_a = await join(a, session_id, "River")
    assert seat_a["member"] == {
        "member_id": seat_a["member"]["member_id"],
        "alias": "River",
        "role": "member",
        "muted": False,
    }
    assert seat_a["session"]["seats_left"] == 11
    await join(b, session_id, "Oak tree")
    joined = await a.wait_for("member_joined", lambda e: e["member"]["alias"] == "Oak tree")
    assert "seeker_id" not in joined["member"]

    sent = (await a.ok("message", {"session_id": session_id, "client_id": "a1", "text": "hello everyone"}))["message"]
    assert sent["seq"] == 1 and sent["alias"] == "River" and sent["role"] == "member"
    got = await b.wait_for("message")
    assert got == sent
    await fac.wait_for("message", lambda m: m["seq"] == 1)
    # a retry with the same client_id stores nothing new and is not delivered again
    again = (await a.ok("message", {"session_id": session_id, "client_id": "a1", "text": "hello everyone"}))["message"]
    assert again["id"] == sent["id"]
    reply = (await fac.ok("message", {"session_id": session_id, "client_id": "f1", "text": "welcome, both"}))["message"]
    assert reply["seq"] == 2 and reply["role"] == "facilitator" and reply["alias"] == "Fran"
    await b.wait_for("message", lambda m: m["seq"] == 2)
    await asyncio.sleep(0.3)
    assert [m["seq"] for m in b.events["message"]] == [1, 2]
    assert [m["seq"] for m in a.events["message"]] == [2]  # its own comes back in the ack only

    # typing is a count, never who
    await b.ok("typing", {"session_id": session_id, "typing": True})
    await a.ok("typing", {"session_id": session_id, "typing": True})
    counts = await fac.wait_for("typing", lambda t: t["count"] == 2)
    assert set(counts) == {"session_id", "count"}
    await a.ok("typing", {"session_id": session_id, "typing": False})
    await fac.wait_for("typing", lambda t: t["count"] == 1)

    # resume after a drop: what was missed, in seq order
    resumed = await b.ok("resume", {"session_id": session_id, "after_seq": 1})
    assert [m["seq"] for m in resumed["messages"]] == [2]

    # stored sealed with the session, member ids not seeker ids on the wire
    rows = await fetch(backends.database_url, "select seq, client_id from group_messages order by seq")
    assert [(r["seq"], r["client_id"]) for r in rows] == [(1, "a1"), (2, "f1")]
    for c in (a, b, fac):
        await c.close()


async def test_a_member_sees_the_session_from_when_they_joined(live_server, backends) -> None:
    base = live_server.base_url
    await make_facilitator(backends.database_url, "fran")
    fac = await staff_client(base, "fran")
    _, session_id = await drop_in(fac)
    a = await seeker_client(base)
    await join(a, session_id, "River")
    await a.ok("message", {"session_id": session_id, "client_id": "a1", "text": "before you came"})
    b = await seeker_client(base)
    seat = await join(b, session_id, "Lake")
    assert seat["messages"] == []
    assert (await b.ok("resume", {"session_id": session_id, "after_seq": 0}))["messages"] == []
    for c in (a, b, fac):
        await c.close()


async def test_bad_input_is_answered_with_its_documented_code(live_server, backends) -> None:
    base = live_server.base_url
    await make_facilitator(backends.database_url, "fran")
    fac = await staff_client(base, "fran")
    _, session_id = await drop_in(fac, capacity=2)
    a, b, c = await seeker_client(base), await seeker_client(base), await seeker_client(base)

    async def refused(client, event, payload) -> tuple[str, str | None]:
        ack = await client.call(event, payload)
        assert ack["ok"] is False, ack
        return ack["error"]["code"], ack.get("reason")

    unknown = "00000000-0000-4000-8000-000000000000"
    join_as = {"accept_guidelines": True}
    assert await refused(a, "join", {"session_id": unknown, "alias": "River", **join_as}) == (
        "not_found",
        "unknown_session",
    )
    assert (await refused(a, "join", {"session_id": "not-an-id", "alias": "River", **join_as}))[0] == "invalid"
    assert await refused(a, "join", {"session_id": session_id, "alias": "<b>River</b>", **join_as}) == (
        "invalid",
        "alias",
    )
    assert await refused(a, "join", {"session_id": session_id, "alias": "Facilitator Jo", **join_as}) == (
        "invalid",
        "alias",
    )
    assert await refused(a, "join", {"session_id": session_id, "alias": session_id, **join_as}) == ("invalid", "alias")
    assert await refused(a, "join", {"session_id": session_id, "alias": "River"}) == ("invalid", "guidelines")
    await join(a, session_id, "River")
    assert await refused(b, "join", {"session_id": session_id, "alias": "river", **join_as}) == (
        "conflict",
        "alias_taken",
    )
    await join(b, session_id, "Lake")
    assert await refused(c, "join", {"session_id": session_id, "alias": "Hill", **join_as}) == ("conflict", "full")

    too_long = "x" * 4001
    assert (await refused(a, "message", {"session_id": session_id, "client_id": "1", "text": too_long}))[0] == "invalid"
    assert (await refused(a, "message", {"session_id": session_id, "client_id": "1", "text": "   "}))[0] == "invalid"
    assert await refused(c, "message", {"session_id": session_id, "client_id": "1", "text": "hi"}) == (
        "forbidden",
        "not_member",
    )
    # a seeker's token on staff events
    assert (await refused(a, "create_group", {"title": "Mine", "topic": "talk"})) == ("forbidden", "staff_only")
    member_b = (await a.ok("resume", {"session_id": session_id}))["members"]
    b_id = next(m["member_id"] for m in member_b if m["alias"] == "Lake")
    assert await refused(a, "mute", {"session_id": session_id, "member_id": b_id}) == ("forbidden", "staff_only")
    assert await refused(a, "end_session", {"session_id": session_id}) == ("forbidden", "staff_only")

    # muted writer, removed member rejoining
    await fac.ok("mute", {"session_id": session_id, "member_id": b_id})
    assert await refused(b, "message", {"session_id": session_id, "client_id": "b1", "text": "hi"}) == (
        "forbidden",
        "muted",
    )
    assert (await b.ok("resume", {"session_id": session_id}))["member"]["muted"] is True  # still reads
    await fac.ok("remove", {"session_id": session_id, "member_id": b_id, "reason": "kept interrupting"})
    assert await refused(b, "join", {"session_id": session_id, "alias": "Lake again", **join_as}) == (
        "forbidden",
        "removed",
    )
    assert await refused(b, "resume", {"session_id": session_id}) == ("forbidden", "removed")
    # ended
    await fac.ok("end_session", {"session_id": session_id})
    assert await refused(c, "join", {"session_id": session_id, "alias": "Hill", **join_as}) == ("conflict", "ended")
    assert await refused(a, "message", {"session_id": session_id, "client_id": "a2", "text": "hi"}) == (
        "conflict",
        "ended",
    )
    for client in (a, b, c, fac):
        await client.close()


async def test_staff_create_edit_and_cancel_by_their_rights(live_server, backends) -> None:
    base = live_server.base_url
    await make_facilitator(backends.database_url, "fran")
    await make_facilitator(backends.database_url, "gil")
    from tests.support import create_user

    await create_user(backends.database_url, "lee")  # a listener without the capability
    await create_user(backends.database_url, "sam", role="supervisor")
    fran, gil, lee, sam = [await staff_client(base, n) for n in ("fran", "gil", "lee", "sam")]
    group_id, session_id = await drop_in(fran)

    assert (await lee.call("create_group", {"title": "Mine", "topic": "talk"}))["reason"] == "not_facilitator"
    assert (await gil.call("edit_group", {"group_id": group_id, "title": "Taken"}))["reason"] == "not_facilitator"
    assert (await gil.call("cancel_session", {"session_id": session_id}))["reason"] == "not_facilitator"
    bad = await fran.call("create_group", {"title": "Big", "topic": "talk", "capacity": 51})
    assert bad["error"]["code"] == "invalid"
    bad = await fran.call("create_group", {"title": "Odd", "topic": "astrology"})
    assert bad["error"]["code"] == "invalid"
    bad = await fran.call("schedule", {"group_id": group_id, "duration_min": 60})
    assert bad["error"]["code"] == "invalid"  # neither a start time nor drop_in

    edited = (await fran.ok("edit_group", {"group_id": group_id, "title": "Tuesday circle", "capacity": 20}))["group"]
    assert edited["title"] == "Tuesday circle" and edited["capacity"] == 20
    later = (
        await fran.ok("schedule", {"group_id": group_id, "starts_at": "2099-01-05T18:00:00+00:00", "duration_min": 60})
    )["session"]
    assert later["state"] == "upcoming" and later["drop_in"] is False
    seeker = await seeker_client(base)
    ack = await seeker.call("join", {"session_id": later["session_id"], "alias": "River", "accept_guidelines": True})
    assert ack["reason"] == "not_open"

    # a supervisor may act on every group
    assert (await sam.ok("list_groups"))["groups"][0]["group_id"] == group_id
    assert (await gil.ok("list_groups"))["groups"] == []
    await sam.ok("cancel_session", {"session_id": later["session_id"]})
    assert (await sam.call("cancel_session", {"session_id": later["session_id"]}))["reason"] == "ended"
    await sam.ok("cancel_group", {"group_id": group_id})
    assert (await seeker.ok("list_sessions"))["sessions"] == []
    for c in (fran, gil, lee, sam, seeker):
        await c.close()
