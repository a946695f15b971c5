"""The ``/groups`` authorization table in docs/security.md, tried cell by cell against a real server."""

from __future__ import annotations

import random
import re
import string
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from server.security.auth import TokenIssuer
from tests.groups_support import make_facilitator
from tests.support import ROOT, TEST_SECRET, Client, connect_error, create_user, seeker_token

TABLE = ROOT / "docs" / "security.md"
CALLERS = ["none", "member", "other session", "muted", "removed", "facilitator", "other facilitator", "listener",
           "supervisor"]  # fmt: skip
DESTRUCTIVE = {"leave", "cancel_session", "cancel_group", "remove", "end_session", "invite"}


def load_table() -> list[tuple[str, dict[str, str]]]:
    section = TABLE.read_text().split("### Support groups (`/groups`)", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        match = re.match(r"^\| `([a-z_]+)` \|(.*)\|$", line)
        if match:
            cells = [c.strip() for c in match.group(2).split("|")]
            assert len(cells) == len(CALLERS), line
            rows.append((match.group(1), dict(zip(CALLERS, cells, strict=True))))
    return rows


ROWS = load_table()


def alias() -> str:
    return "Probe " + "".join(random.choices("ghijklmnopqrstuvwxyz", k=6))


@dataclass
class World:
    base: str
    tokens: dict[str, str]
    group_id: str = ""
    session_id: str = ""
    target_id: str = ""  # a member of S the moderation events act on
    message_id: str = ""  # a message in S
    clients: list[Client] = field(default_factory=list)

    async def close(self) -> None:
        for c in self.clients:
            await c.close()


async def build_world(base: str, database_url: str) -> World:
    issuer = TokenIssuer(TEST_SECRET)
    tag = "".join(random.choices(string.ascii_lowercase, k=8))
    tokens: dict[str, str] = {}
    for key, make in [("facilitator", True), ("other facilitator", True), ("listener", False)]:
        name = f"{key.replace(' ', '-')}-{tag}"
        uid = await (make_facilitator(database_url, name) if make else create_user(database_url, name))
        tokens[key] = issuer.issue(uid, "listener", 3600)
    tokens["supervisor"] = issuer.issue(
        await create_user(database_url, f"sup-{tag}", role="supervisor"), "supervisor", 3600
    )
    for key in ("member", "other session", "muted", "removed", "target"):
        tokens[key] = await seeker_token(base)
    world = World(base, tokens)

    async def client(key: str) -> Client:
        c = await Client(base, "/groups", tokens[key]).connect()
        world.clients.append(c)
        return c

    f1, f2 = await client("facilitator"), await client("other facilitator")
    world.group_id = (await f1.ok("create_group", {"title": "Circle one", "topic": "grief"}))["group"]["group_id"]
    world.session_id = (await f1.ok("schedule", {"group_id": world.group_id, "drop_in": True}))["session"]["session_id"]
    await f1.ok("facilitate", {"session_id": world.session_id})
    g2 = (await f2.ok("create_group", {"title": "Circle two", "topic": "grief"}))["group"]["group_id"]
    s2 = (await f2.ok("schedule", {"group_id": g2, "drop_in": True}))["session"]["session_id"]
    join = {"accept_guidelines": True}
    await (await client("other session")).ok("join", {"session_id": s2, "alias": alias(), **join})
    members = {}
    for key in ("member", "muted", "removed", "target"):
        c = await client(key)
        members[key] = (await c.ok("join", {"session_id": world.session_id, "alias": alias(), **join}))["member"]
        if key == "target":
            sent = await c.ok("message", {"session_id": world.session_id, "client_id": "t1", "text": "a probe"})
            world.message_id = sent["message"]["id"]
    world.target_id = members["target"]["member_id"]
    await f1.ok("mute", {"session_id": world.session_id, "member_id": members["muted"]["member_id"]})
    await f1.ok("remove", {"session_id": world.session_id, "member_id": members["removed"]["member_id"]})
    return world


def payload(event: str, world: World) -> Any:
    s = world.session_id
    return {
        "list_sessions": None,
        "list_groups": None,
        "join": {"session_id": s, "alias": alias(), "accept_guidelines": True},
        "resume": {"session_id": s, "after_seq": 0},
        "message": {"session_id": s, "client_id": uuid.uuid4().hex, "text": "authz probe"},
        "typing": {"session_id": s, "typing": True},
        "report": {"session_id": s, "message_id": world.message_id},
        "leave": {"session_id": s},
        "create_group": {"title": "Another circle", "topic": "grief"},
        "edit_group": {"group_id": world.group_id, "description": "edited"},
        "schedule": {"group_id": world.group_id, "drop_in": True},
        "cancel_session": {"session_id": s},
        "cancel_group": {"group_id": world.group_id},
        "facilitate": {"session_id": s},
        "watch": {"session_id": s},
        "mute": {"session_id": s, "member_id": world.target_id},
        "remove": {"session_id": s, "member_id": world.target_id, "reason": "probe"},
        "pin": {"session_id": s},
        "delete_message": {"session_id": s, "message_id": world.message_id, "reason": "probe"},
        "end_session": {"session_id": s},
        "invite": {"session_id": s, "member_id": world.target_id},
    }[event]


async def try_cell(world: World, event: str, caller: str) -> str:
    if caller == "none":
        assert await connect_error(world.base, "/groups", None) == "unauthorized"
        return "refused"
    client = await Client(world.base, "/groups", world.tokens[caller]).connect()
    try:
        ack = await client.call(event, payload(event, world))
    finally:
        await client.close()
    if not ack.get("ok") and ack["error"]["code"] == "forbidden":
        assert ack.get("reason"), ack  # every refusal says why
    return "ok" if ack.get("ok") else ack["error"]["code"]


@pytest.mark.parametrize(("event", "expected"), ROWS, ids=[r[0] for r in ROWS])
async def test_every_cell_of_the_groups_table(event: str, expected: dict, live_server, backends) -> None:
    world = None
    got = {}
    try:
        for caller in CALLERS:
            if world is None or event in DESTRUCTIVE:
                if world is not None:
                    await world.close()
                world = await build_world(live_server.base_url, backends.database_url)
            got[caller] = await try_cell(world, event, caller)
    finally:
        if world is not None:
            await world.close()
    assert got == expected


def test_the_table_covers_every_groups_event() -> None:
    source = (ROOT / "server" / "edge" / "gateway" / "groups.py").read_text()
    events = set(re.findall(r'on\("([a-z_]+)"', source))
    assert events and events == {r[0] for r in ROWS}
