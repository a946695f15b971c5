"""Property-based fuzzing of every Socket.IO event of every namespace, on a real server.

Whatever a client sends — any JSON, binary, no payload, extra arguments, unknown event names, ids
that are ours or not — the server answers an ack with a protocol error code (or ``ok``), keeps
serving, logs no traceback and stores nothing outside the protocol's bounds. A crisis service must
not be knocked over, or silenced, by one malformed packet.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import socketio
from hypothesis import strategies as st

from server.config import DEFAULT_LANGUAGES, DEFAULT_TOPICS
from tests.conftest import Backends
from tests.security.fuzzing import (
    LogWatch,
    assert_answer,
    assert_serving,
    assert_storage_sane,
    call_args,
    fuzz,
    near_valid,
    random_uuid,
    resolve,
)
from tests.support import Client, ServerProcess, create_user, login, seeker_token

_MESSAGE = ("conversation_id", "client_id", "text")
_REF = ("conversation_id",)
_SHARED = {
    "message": _MESSAGE,
    "typing": ("conversation_id", "typing"),
    "resume": ("conversation_id", "after_seq"),
    "end_chat": _REF,
}
# Every event of every namespace, with the fields its payload has (PROTOCOL.md, docs/protocol.md).
EVENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "/seeker": {
        "request_chat": ("topic", "language", "text", "client_id"),
        **_SHARED,
        "erase": _REF,
    },
    "/listener": {
        "set_status": ("status", "max_chats"),
        "take": _REF,
        **_SHARED,
        "escalate": ("conversation_id", "reason", "category", "severity", "show_resources"),
        "list_conversations": (),
        "block_seeker": _REF,
    },
    "/supervisor": {
        "list_escalations": ("status",),
        "ack": ("escalation_id",),
        "join": _REF,
        **_SHARED,
        "message": (*_MESSAGE, "visibility"),
        "take_over": _REF,
        "resolve": ("escalation_id", "outcome", "note"),
        "overview": (),
        "block_seeker": _REF,
    },
}
FIELDS = {ns: tuple(sorted({f for fields in events.values() for f in fields})) for ns, events in EVENTS.items()}
ALL_EVENT_NAMES = sorted({name for events in EVENTS.values() for name in events})
# "connect" and "disconnect" are reserved by Socket.IO; test_reserved_event_names covers them.
RESERVED = {"connect", "disconnect"}
MAX_EXAMPLES = 200
ID_FIELDS = ("conversation_id", "escalation_id")


def event_calls(namespace: str) -> st.SearchStrategy[tuple[str, tuple[Any, ...]]]:
    """Two thirds near-valid calls of the namespace's own events, one third anything at all."""
    events = EVENTS[namespace]
    well_formed = st.sampled_from(sorted(events)).flatmap(
        lambda event: st.tuples(st.just(event), near_valid(events[event]).map(lambda payload: (payload,)))
    )
    names = st.one_of(
        st.sampled_from(sorted(events)),
        st.sampled_from(ALL_EVENT_NAMES),
        st.text(max_size=24).filter(lambda name: name not in RESERVED),
    )
    return st.one_of(well_formed, well_formed, st.tuples(names, call_args(FIELDS[namespace])))


@dataclass
class Session:
    """One connected client reused across examples; reconnected (with a fresh identity when the old
    one was erased or blocked) if an example ended its connection."""

    base_url: str
    namespace: str
    token: Callable[[], Awaitable[str]]
    client: Client | None = None
    reconnects: int = 0

    async def ensure(self) -> Client:
        if self.client is not None and self.client.sio.connected:
            return self.client
        if self.client is not None:
            await self.client.close()
            self.reconnects += 1
        self.client = await Client(self.base_url, self.namespace, await self.token()).connect()
        return self.client

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


@dataclass
class World:
    """A listener paired with a seeker, an escalation, a second queued seeker, and a supervisor."""

    ids: list[str]
    sessions: dict[str, Session]
    others: list[Client] = field(default_factory=list)

    async def close(self) -> None:
        for session in self.sessions.values():
            await session.close()
        for client in self.others:
            await client.close()


async def build_world(server: ServerProcess, backends: Backends) -> World:
    base = server.base_url
    all_topics = [topic for topic, _ in DEFAULT_TOPICS]
    await create_user(backends.database_url, "fuzz-lee", role="listener", topics=all_topics, languages=("en",))
    await create_user(backends.database_url, "fuzz-sam", role="supervisor")
    sessions = {
        "/listener": Session(base, "/listener", lambda: login(base, "fuzz-lee")),
        "/supervisor": Session(base, "/supervisor", lambda: login(base, "fuzz-sam")),
        "/seeker": Session(base, "/seeker", lambda: seeker_token(base)),
    }
    listener = await sessions["/listener"].ensure()
    await listener.ok("set_status", {"status": "available", "max_chats": 3})
    supervisor = await sessions["/supervisor"].ensure()
    seeker = await sessions["/seeker"].ensure()
    first = {"topic": "talk", "language": "en", "text": "the week has been long and grey", "client_id": "w1"}
    cid = (await seeker.ok("request_chat", first))["conversation_id"]
    await listener.wait_for("assigned")
    await listener.ok("message", {"conversation_id": cid, "client_id": "l1", "text": "I am here, tell me more"})
    escalation = await listener.ok("escalate", {"conversation_id": cid, "reason": "they sound very low"})
    await supervisor.wait_for("escalation")
    # a seeker nobody here can take (no listener speaks Spanish): stays queued for take / join
    waiting = await Client(base, "/seeker", await seeker_token(base, "es")).connect()
    queued = (await waiting.ok("request_chat", {"topic": "grief", "language": "es"}))["conversation_id"]
    ids = [cid, escalation["escalation_id"], queued, random_uuid()]
    return World(ids=ids, sessions=sessions, others=[waiting])


def harvest(ack: dict[str, Any], ids: list[str]) -> None:
    """Ids the server hands out become fuzzing material (new conversations, escalations)."""

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ID_FIELDS and isinstance(item, str) and item not in ids and len(ids) < 64:
                    ids.append(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(ack)


@pytest.mark.parametrize("namespace", ["/seeker", "/listener", "/supervisor"])
async def test_any_event_payload_gets_an_answer(namespace: str, fuzz_server: ServerProcess, backends: Backends) -> None:
    logs = LogWatch(fuzz_server)
    world = await build_world(fuzz_server, backends)
    session = world.sessions[namespace]
    answers: Counter[str] = Counter()
    disconnects: list[tuple[str, Any]] = []

    async def check(example: tuple[str, tuple[Any, ...]]) -> None:
        event, args = example
        data = resolve(args, world.ids)
        client = await session.ensure()
        try:
            ack = await client.sio.call(event, data, namespace=namespace, timeout=10)
        except socketio.exceptions.TimeoutError:
            if not client.sio.connected:  # this example ended our own session (erase, block): fine
                answers["disconnected"] += 1
                disconnects.append((event, data))
                return
            raise AssertionError(f"no answer to {event!r} {data!r}") from None
        code = assert_answer(ack, (namespace, event, data))
        answers[code] += 1
        if code == "ok":
            harvest(ack, world.ids)

    try:
        await fuzz(event_calls(namespace), check, max_examples=MAX_EXAMPLES)
        # the session still works after everything it was sent
        client = await session.ensure()
        assert_answer(await client.call("no_such_event", {}), "after fuzzing")
    finally:
        await world.close()
    await assert_serving(fuzz_server)
    logs.assert_no_traceback()
    topics = {topic for topic, _ in DEFAULT_TOPICS}
    await assert_storage_sane(backends.database_url, topics, {lang for lang, _ in DEFAULT_LANGUAGES})
    print(f"{namespace}: answers {dict(answers)}, reconnects {session.reconnects}, disconnects {disconnects[:3]}")
    # reached the domain, not only the parser
    assert answers["ok"] >= 3 and answers["invalid"] >= 10, answers


async def test_reserved_event_names_do_not_disturb_the_session(fuzz_server: ServerProcess) -> None:
    """An EVENT packet named "connect" or "disconnect" is not a connect or a disconnect."""
    seeker = await Client(fuzz_server.base_url, "/seeker", await seeker_token(fuzz_server.base_url)).connect()
    try:
        for name in ("connect", "disconnect"):
            await seeker.sio.emit(name, {"token": "x"}, namespace="/seeker")
        ack = await seeker.call("request_chat", {"topic": "talk", "language": "en"})
        assert assert_answer(ack, "after reserved names") == "ok"
        assert seeker.sio.connected
    finally:
        await seeker.close()


@pytest.mark.parametrize(
    ("raw", "must_answer"),
    [
        ('{"conversation_id": "\\ud800", "client_id": "a", "text": "half an emoji"}', True),
        ('{"text": "x", "after_seq": NaN}', True),
        ('{"text": "x", "after_seq": Infinity}', True),
        ("[1, 2", False),
    ],
    ids=["lone-surrogate", "nan", "infinity", "truncated"],
)
async def test_undecodable_event_is_answered_not_dropped(
    raw: str, must_answer: bool, fuzz_server: ServerProcess, backends: Backends
) -> None:
    """A packet whose JSON this server's decoder refuses (a browser cutting a message at 4000 UTF-16
    units can split an emoji and send a lone surrogate) must still get an answer, or the sender
    waits forever for an ack that never comes — and the server must not log a traceback for it."""
    logs = LogWatch(fuzz_server)
    seeker = await Client(fuzz_server.base_url, "/seeker", await seeker_token(fuzz_server.base_url)).connect()
    try:
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        # a hand-written Socket.IO EVENT packet: 2<namespace>,<ack id>[event, payload]; the ack id is far
        # above the client's own counter so the client routes the answer to our callback
        ack_id = 990_001
        packet = f'2/seeker,{ack_id}["message",{raw}]'
        seeker.sio.callbacks.setdefault("/seeker", {})[ack_id] = lambda *args: answer.set_result(args)
        await seeker.sio.eio.send(packet)
        try:
            args = await asyncio.wait_for(answer, 3)
        except TimeoutError:
            # JSON that is not JSON at all may instead end the connection (the client then reconnects)
            if must_answer or seeker.sio.connected:
                raise AssertionError(f"no answer to an undecodable packet {packet!r}") from None
        else:
            assert assert_answer(args[0] if args else None, packet) == "invalid"
    finally:
        await seeker.close()
    await assert_serving(fuzz_server)
    logs.assert_no_traceback()


@pytest.mark.parametrize(
    "text",
    ["enc:v1:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "enc:v1:", "enc:v1:x:not base64!"],
)
async def test_text_that_looks_sealed_stays_readable(text: str, fuzz_server: ServerProcess, backends: Backends) -> None:
    """A chat message is the user's words, whatever they look like: one that happens to start like
    an encrypted body must not make the conversation unreadable (resume, join) or block the next
    message (the detector reads the recent window back)."""
    logs = LogWatch(fuzz_server)
    base = fuzz_server.base_url
    await create_user(backends.database_url, "fuzz-lou", role="listener")
    listener = await Client(base, "/listener", await login(base, "fuzz-lou")).connect()
    seeker = await Client(base, "/seeker", await seeker_token(base)).connect()
    try:
        await listener.ok("set_status", {"status": "available"})
        cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
        await listener.wait_for("assigned")
        sent = await seeker.ok("message", {"conversation_id": cid, "client_id": "s1", "text": text})
        assert sent["message"]["text"] == text
        after = await seeker.call("message", {"conversation_id": cid, "client_id": "s2", "text": "and then"})
        assert assert_answer(after, "next message") == "ok", after
        resumed = await listener.call("resume", {"conversation_id": cid, "after_seq": 0})
        assert assert_answer(resumed, "resume") == "ok", resumed
        assert [m["text"] for m in resumed["messages"]] == [text, "and then"]
    finally:
        await seeker.close()
        await listener.close()
    logs.assert_no_traceback()
