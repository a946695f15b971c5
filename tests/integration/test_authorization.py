"""The authorization table in docs/security.md, tried cell by cell against a real server."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from server.security.auth import TokenIssuer
from tests.support import ROOT, TEST_SECRET, Client, connect_error, create_user, seeker_token

TABLE = ROOT / "docs" / "security.md"
DESTRUCTIVE = {"end_chat", "erase", "take", "take_over", "resolve", "logout"}
COLUMNS = ["none", "seeker", "listener", "supervisor", "admin"]


def load_table() -> list[tuple[str, dict[tuple[str, str], str]]]:
    rows = []
    section = TABLE.read_text().split("## Authorization", 1)[1].split("\n#", 1)[0]  # the role table only
    for line in section.splitlines():
        match = re.match(r"^\| `([^`]+)` \|(.*)\|$", line)
        if not match:
            continue
        cells = [c.strip() for c in match.group(2).split("|")]
        assert len(cells) == 9, line
        expected = {("none", "own"): cells[0], ("none", "other"): cells[0]}
        for i, role in enumerate(COLUMNS[1:]):
            expected[(role, "own")] = cells[1 + 2 * i]
            expected[(role, "other")] = cells[2 + 2 * i]
        rows.append((match.group(1), expected))
    return rows


ROWS = load_table()


@dataclass
class World:
    """Two paired chats (A: seeker S1 with listener L1; B: S2 with L2), a queued chat Q, an escalation in
    A and in B, a supervisor and an admin who joined A."""

    base: str
    tokens: dict[str, str]
    conversations: dict[str, str]
    escalations: dict[str, str]
    clients: dict[str, Client] = field(default_factory=dict)

    async def close(self) -> None:
        for c in self.clients.values():
            await c.close()


async def build_world(base: str, database_url: str) -> World:
    issuer = TokenIssuer(TEST_SECRET)
    tag = uuid.uuid4().hex[:8]
    tokens = {}
    for role, key in [("listener", "L1"), ("listener", "L2"), ("supervisor", "SUP"), ("admin", "ADM")]:
        uid = await create_user(database_url, f"{key.lower()}-{tag}", role=role, max_chats=5)
        tokens[key] = issuer.issue(uid, role, 3600)
    for key in ("S1", "S2", "S3"):
        tokens[key] = await seeker_token(base)
    world = World(base, tokens, {}, {})
    c = world.clients
    for key, ns in [
        ("S1", "/seeker"),
        ("S2", "/seeker"),
        ("S3", "/seeker"),
        ("L1", "/listener"),
        ("L2", "/listener"),
        ("SUP", "/supervisor"),
        ("ADM", "/supervisor"),
    ]:
        c[key] = await Client(base, ns, tokens[key]).connect()
    for seeker, listener, name in [("S1", "L1", "A"), ("S2", "L2", "B")]:
        cid = (await c[seeker].ok("request_chat", {"topic": "grief", "language": "en"}))["conversation_id"]
        await c[listener].ok("take", {"conversation_id": cid})
        world.conversations[name] = cid
        world.escalations[name] = (await c[listener].ok("escalate", {"conversation_id": cid, "reason": "probe"}))[
            "escalation_id"
        ]
    world.conversations["Q"] = (await c["S3"].ok("request_chat", {"topic": "grief", "language": "en"}))[
        "conversation_id"
    ]
    await c["SUP"].ok("join", {"conversation_id": world.conversations["A"]})
    await c["ADM"].ok("join", {"conversation_id": world.conversations["A"]})
    return world


CALLER = {"seeker": "S1", "listener": "L1", "supervisor": "SUP", "admin": "ADM"}


def payload(event: str, world: World, target: str, role: str) -> Any:
    cid = world.conversations[target]
    if event == "message":
        body: dict[str, Any] = {"conversation_id": cid, "client_id": uuid.uuid4().hex, "text": "authz probe"}
        return {**body, "visibility": "all"} if role in ("supervisor", "admin") else body
    if event == "typing":
        return {"conversation_id": cid, "typing": True}
    if event == "resume":
        return {"conversation_id": cid, "after_seq": 0}
    if event == "escalate":
        return {"conversation_id": cid, "reason": "authz probe"}
    if event == "set_status":
        return {"status": "away"}
    if event == "take":
        return {"conversation_id": world.conversations["Q"]}
    if event == "ack":
        return {"escalation_id": world.escalations[target]}
    if event == "resolve":
        return {"escalation_id": world.escalations[target], "outcome": "other", "note": ""}
    if event == "request_chat":
        return {"topic": "talk", "language": "en"}
    if event in ("list_conversations", "overview"):
        return None
    if event == "list_escalations":
        return {}
    return {"conversation_id": cid}


async def try_http(world: World, method_path: str, role: str) -> str:
    method, path = method_path.split(" ")
    headers = {"Authorization": f"Bearer {world.tokens[CALLER[role]]}"} if role != "none" else {}
    body = None
    if path == "/api/login":
        body = {"username": "authz-login", "password": "correct horse battery"}
    elif path == "/api/seekers":
        body = {"language": "en"}
    async with aiohttp.ClientSession() as http:
        async with http.request(method, world.base + path, json=body, headers=headers) as resp:
            if resp.status < 300:
                return "ok"
            return (await resp.json(content_type=None))["error"]["code"]


async def try_socket(world: World, surface: str, role: str, ownership: str) -> str:
    namespace, event = surface.split(" ")
    token = None if role == "none" else world.tokens[CALLER[role]]
    if event == "request_chat" and role == "seeker":
        token = await seeker_token(world.base)  # a seeker without an open chat
    wanted = {"/seeker": ("seeker",), "/listener": ("listener",), "/supervisor": ("supervisor", "admin")}[namespace]
    if role not in wanted:
        assert await connect_error(world.base, namespace, token) == "unauthorized"
        return "refused"
    client = Client(world.base, namespace, token)
    await client.connect()
    try:
        if role in ("supervisor", "admin") and ownership == "own":
            await client.ok("join", {"conversation_id": world.conversations["A"]})  # this socket joins A too
        ack = await client.call(event, payload(event, world, "A" if ownership == "own" else "B", role))
    finally:
        await client.close()
    return "ok" if ack.get("ok") else ack["error"]["code"]


@pytest.mark.parametrize(("surface", "expected"), ROWS, ids=[r[0] for r in ROWS])
async def test_every_cell_of_the_authorization_table(surface: str, expected: dict, live_server, backends) -> None:
    await create_user(backends.database_url, "authz-login")
    event = surface.split(" ")[-1].rsplit("/", 1)[-1]
    world = None
    got = {}
    try:
        for role, ownership in expected:
            if world is None or event in DESTRUCTIVE:
                if world is not None:
                    await world.close()
                world = await build_world(live_server.base_url, backends.database_url)
            if surface.startswith(("GET ", "POST ")):
                got[(role, ownership)] = await try_http(world, surface, role)
            else:
                got[(role, ownership)] = await try_socket(world, surface, role, ownership)
    finally:
        if world is not None:
            await world.close()
    assert got == expected


def test_the_table_covers_every_event_and_route() -> None:
    from server.edge.gateway import listener, seeker, supervisor

    surfaces = {r[0] for r in ROWS}
    base_source = (ROOT / "server" / "edge" / "gateway" / "base.py").read_text()
    shared = set(re.findall(r'self\.event\("([a-z_]+)"', base_source.split("def chat_events")[1].split("async def")[0]))
    assert shared == {"message", "typing", "resume", "end_chat"}
    for module, ns in [(seeker, "/seeker"), (listener, "/listener"), (supervisor, "/supervisor")]:
        source = (ROOT / module.__file__).read_text()
        events = set(re.findall(r'self\.event\("([a-z_]+)"', source))
        if "self.chat_events()" in source:
            events |= shared
        assert events, module
        assert {f"{ns} {e}" for e in events} <= surfaces, sorted({f"{ns} {e}" for e in events} - surfaces)
    routes = set(re.findall(r'add_(get|post)\("([^"]+)"', (ROOT / "server" / "edge" / "http_api.py").read_text()))
    assert {f"{m.upper()} {p}" for m, p in routes} <= surfaces
