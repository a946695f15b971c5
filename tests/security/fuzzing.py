"""Shared fuzzing machinery: JSON strategies, the sync-hypothesis-on-an-async-loop bridge, and the
checks every fuzzer ends with (the server still serves, logged no traceback, stored no garbage).

Hypothesis drives examples synchronously; our clients live on pytest-asyncio's loop. Running the
``@given`` function in a worker thread and handing each example's coroutine back to that loop lets
one connected client serve hundreds of examples, and keeps hypothesis away from pytest fixtures
(no function-scoped-fixture health check to silence: the ``@given`` function takes none).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.errors import CODES
from server.security.crypto import cipher
from tests.support import ServerProcess

T = TypeVar("T")

# Strings that have broken services before: bounds, white space, NUL, direction marks, injection
# shapes, ids that look right but are not ours, and a body that looks like a sealed message.
EDGE_STRINGS: tuple[str, ...] = (
    "",
    " ",
    "\n\t \u00a0\u2003",
    "\x00",
    "hello\x00world",
    "x" * 4000,
    "x" * 4001,
    "é" * 4000,
    "🙂" * 4000,
    "🙂" * 4001,
    "c" * 128,
    "c" * 129,
    "r" * 2001,
    "\u202eevil",
    "\ufeff",
    "0",
    "-1",
    "true",
    "null",
    "[]",
    "{}",
    "'; drop table messages; --",
    "<script>alert(1)</script>",
    "%s%s%n",
    "{{7*7}}",
    "../../../etc/passwd",
    "00000000-0000-0000-0000-000000000000",
    "00000000-0000-4000-8000-000000000000",
    "not-an-id",
    "enc:v1:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
)

# Words the handlers compare against: enum members, topics and languages, so fuzzing gets past the
# first check often enough to reach the domain.
ENUM_WORDS: tuple[str, ...] = (
    "available",
    "away",
    "busy",
    "open",
    "acknowledged",
    "resolved",
    "all",
    "staff",
    "high",
    "imminent",
    "none",
    "suicide",
    "self_harm",
    "harm_to_others",
    "abuse",
    "overdose",
    "false_alarm",
    "de_escalated",
    "emergency_services",
    "referred",
    "other",
    "talk",
    "grief",
    "veterans",
    "en",
    "es",
    "xx",
)


def edge_strings() -> st.SearchStrategy[str]:
    """By index, so a failing example's strategy repr stays short (some of these are 4000 chars)."""
    return st.sampled_from(range(len(EDGE_STRINGS))).map(EDGE_STRINGS.__getitem__)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-3, max_value=25)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | edge_strings()
    | st.sampled_from(ENUM_WORDS)
)
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=10,
)


@dataclass(frozen=True)
class Known:
    """Stands for one of the ids the server has issued so far; resolved when the example is sent."""

    index: int


def known_ids() -> st.SearchStrategy[Known]:
    return st.integers(min_value=0, max_value=63).map(Known)


def resolve(value: Any, ids: list[str]) -> Any:
    if isinstance(value, Known):
        return ids[value.index % len(ids)]
    if isinstance(value, dict):
        return {key: resolve(item, ids) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(resolve(item, ids) for item in value)
    return value


good_text = st.text(min_size=1, max_size=120).filter(lambda s: s.strip() != "")


def field_values() -> st.SearchStrategy[Any]:
    """A value for any known field: mostly plausible (to reach the domain), sometimes anything."""
    return st.one_of(
        known_ids(),
        known_ids(),
        st.sampled_from(ENUM_WORDS),
        good_text,
        st.integers(min_value=-2, max_value=40),
        st.booleans(),
        st.uuids().map(str),
        json_values,
    )


def payloads(fields: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """Objects built from the event's field names plus stray keys, or any JSON at all."""
    structured = st.tuples(
        st.fixed_dictionaries({}, optional=dict.fromkeys(fields, field_values())),
        st.dictionaries(st.text(max_size=12), json_values, max_size=2),
    ).map(lambda parts: {**parts[1], **parts[0]})
    return st.one_of(structured, structured, structured, json_values, st.binary(max_size=16))


def call_args(fields: tuple[str, ...]) -> st.SearchStrategy[tuple[Any, ...]]:
    """Socket.IO arguments: none, one payload, or a payload followed by extra arguments."""
    payload = payloads(fields)
    return st.one_of(
        st.just(()),
        payload.map(lambda p: (p,)),
        payload.map(lambda p: (p,)),
        payload.map(lambda p: (p,)),
        st.tuples(payload, json_values),
        st.tuples(payload, json_values, json_values),
    )


ALPHANUMERIC = st.characters(min_codepoint=48, max_codepoint=122, categories=["L", "N"])

# What each field plausibly holds; a near-valid payload draws from here and then breaks a field or two.
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "conversation_id": st.one_of(known_ids(), known_ids(), known_ids(), st.uuids().map(str)),
    "escalation_id": st.one_of(known_ids(), known_ids(), known_ids(), st.uuids().map(str)),
    "client_id": st.text(ALPHANUMERIC, min_size=1, max_size=16),
    "text": st.one_of(good_text, good_text, edge_strings()),
    "reason": good_text,
    "note": st.text(max_size=60),
    "typing": st.booleans(),
    "show_resources": st.booleans(),
    "after_seq": st.integers(min_value=0, max_value=30),
    "max_chats": st.integers(min_value=1, max_value=5),
    "topic": st.sampled_from(("talk", "grief", "veterans", "students", "nowhere")),
    "language": st.sampled_from(("en", "es", "en", "fr")),
    "status": st.sampled_from(("available", "away", "open", "acknowledged", "resolved")),
    "visibility": st.sampled_from(("all", "staff")),
    "severity": st.sampled_from(("high", "imminent")),
    "category": st.sampled_from(("suicide", "self_harm", "harm_to_others", "abuse", "overdose")),
    "outcome": st.sampled_from(("false_alarm", "de_escalated", "emergency_services", "referred", "other")),
}


@st.composite
def near_valid(draw: st.DrawFn, fields: tuple[str, ...]) -> dict[str, Any]:
    """Mostly-right payloads reach access and state checks; one broken field probes each bound."""
    payload: dict[str, Any] = {}
    for name in fields:
        roll = draw(st.integers(min_value=0, max_value=11))
        if roll == 0:
            continue
        payload[name] = draw(field_values()) if roll == 1 else draw(PLAUSIBLE.get(name, json_values))
    if draw(st.integers(min_value=0, max_value=7)) == 0:
        payload[draw(st.text(max_size=12))] = draw(json_values)
    return payload


def run_examples(
    strategy: st.SearchStrategy[T],
    check: Callable[[T], Awaitable[None]],
    *,
    max_examples: int,
    loop: asyncio.AbstractEventLoop,
    timeout_s: float = 30.0,
) -> None:
    """Runs in a worker thread: hypothesis generates (and shrinks) synchronously, each example's
    check runs on ``loop`` where the connected clients live."""

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(strategy)
    def example(value: T) -> None:
        asyncio.run_coroutine_threadsafe(check(value), loop).result(timeout_s)

    example()


async def fuzz(strategy: st.SearchStrategy[T], check: Callable[[T], Awaitable[None]], *, max_examples: int) -> None:
    await asyncio.to_thread(run_examples, strategy, check, max_examples=max_examples, loop=asyncio.get_running_loop())


def assert_answer(ack: Any, context: object) -> str:
    """The contract: ``{"ok": true, ...}`` or ``{"ok": false, "error": {"code": CODE, "message"}}``."""
    assert isinstance(ack, dict), (context, ack)
    if ack.get("ok") is True:
        return "ok"
    assert ack.get("ok") is False, (context, ack)
    error = ack.get("error")
    assert isinstance(error, dict) and set(error) == {"code", "message"}, (context, ack)
    assert error["code"] in CODES and isinstance(error["message"], str), (context, ack)
    return str(error["code"])


@dataclass
class LogWatch:
    """The part of a server's log written since this watch began (the fuzz server is shared)."""

    server: ServerProcess
    start: int = field(init=False)

    def __post_init__(self) -> None:
        assert self.server.log_path is not None
        self.start = self.server.log_path.stat().st_size

    def text(self) -> str:
        assert self.server.log_path is not None
        return self.server.log_path.read_bytes()[self.start :].decode(errors="replace")

    def assert_no_traceback(self) -> None:
        text = self.text()
        if "Traceback" in text:
            at = text.index("Traceback")
            raise AssertionError("the server logged a traceback:\n" + text[max(0, at - 300) : at + 3000])


async def assert_serving(server: ServerProcess) -> None:
    assert server.proc is not None and server.proc.poll() is None, server.log_tail()
    async with aiohttp.ClientSession() as http, http.get(server.base_url + "/healthz") as resp:
        assert resp.status == 200, await resp.text()


async def assert_storage_sane(database_url: str, topics: set[str], languages: set[str]) -> dict[str, int]:
    """Whatever the fuzzers sent, every stored row is within the protocol's bounds."""
    conn = await asyncpg.connect(database_url)
    try:
        messages = await conn.fetch(
            "select conversation_id::text, seq, client_id, sender, text, visibility from messages"
        )
        conversations = await conn.fetch("select id::text, topic, language, last_seq from conversations")
        escalations = await conn.fetch("select reason, note, category, severity from escalations")
    finally:
        await conn.close()
    box = cipher()  # as the server stores it: plain text beginning "enc:"/"raw:" carries a "raw:" marker
    for row in messages:
        text = box.open(row["text"], row["conversation_id"])
        assert 1 <= len(text) <= 4000 and text.strip(), row
        assert 1 <= len(row["client_id"]) <= 128, row
        assert row["sender"] in {"seeker", "listener", "supervisor", "system"}, row
        assert (row["visibility"] == "all") == (row["seq"] is not None), row
    for conv in conversations:
        assert conv["topic"] in topics and conv["language"] in languages, conv
        seqs = sorted(m["seq"] for m in messages if m["conversation_id"] == conv["id"] and m["seq"] is not None)
        assert len(seqs) == len(set(seqs)), conv
        assert all(seq <= conv["last_seq"] for seq in seqs), conv
    for esc in escalations:
        assert esc["reason"] is None or 1 <= len(esc["reason"]) <= 2000, esc
        assert esc["note"] is None or len(esc["note"]) <= 2000, esc
    return {"messages": len(messages), "conversations": len(conversations), "escalations": len(escalations)}


def random_uuid() -> str:
    return str(uuid.uuid4())
