"""Bad input gets its documented error code, and the server keeps serving."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from tests.support import (
    TEST_SECRET,
    Client,
    connect_error,
    create_user,
    get_json,
    login,
    post_json,
    run_cli,
    seeker_token,
)

CID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
async def chat(live_server, backends):
    """A paired seeker and listener, plus a bystander seeker with a chat of their own."""
    await create_user(backends.database_url, "lee")
    listener = await Client(live_server.base_url, "/listener", await login(live_server.base_url, "lee")).connect()
    await listener.ok("set_status", {"status": "available"})
    seeker = await Client(live_server.base_url, "/seeker", await seeker_token(live_server.base_url)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")
    other = await Client(live_server.base_url, "/seeker", await seeker_token(live_server.base_url)).connect()
    yield seeker, listener, other, cid
    for c in (seeker, listener, other):
        await c.close()


def code(ack: dict) -> str:
    assert ack["ok"] is False, ack
    assert set(ack["error"]) == {"code", "message"}
    return ack["error"]["code"]


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "a string",
        [1, 2],
        {},
        {"conversation_id": CID, "client_id": "a"},
        {"conversation_id": CID, "text": "hi"},
        {"conversation_id": 5, "client_id": "a", "text": "hi"},
        {"conversation_id": CID, "client_id": 7, "text": "hi"},
        {"conversation_id": CID, "client_id": "a", "text": ""},
        {"conversation_id": CID, "client_id": "a", "text": "   \n\t "},
        {"conversation_id": CID, "client_id": "a", "text": "x" * 4001},
        {"conversation_id": CID, "client_id": "", "text": "hi"},
        {"conversation_id": CID, "client_id": "c" * 129, "text": "hi"},
        {"conversation_id": "not-an-id", "client_id": "a", "text": "hi"},
        {"conversation_id": CID, "client_id": "a", "text": "nul \x00 byte"},
        {"conversation_id": CID, "client_id": "a", "text": ["hi"]},
    ],
)
async def test_malformed_message_payloads_are_invalid(chat, payload) -> None:
    seeker, *_ = chat
    assert code(await seeker.call("message", payload)) == "invalid"


async def test_text_of_exactly_4000_characters_is_accepted(chat) -> None:
    seeker, _, _, cid = chat
    ack = await seeker.ok("message", {"conversation_id": cid, "client_id": "long", "text": "é" * 4000})
    assert len(ack["message"]["text"]) == 4000


async def test_unknown_and_someone_elses_conversation(chat) -> None:
    seeker, _, other, cid = chat
    msg = {"client_id": "a", "text": "hello"}
    assert code(await seeker.call("message", {"conversation_id": str(uuid.uuid4()), **msg})) == "not_found"
    assert code(await other.call("message", {"conversation_id": cid, **msg})) == "forbidden"
    assert code(await other.call("resume", {"conversation_id": cid, "after_seq": 0})) == "forbidden"
    assert code(await other.call("typing", {"conversation_id": cid, "typing": True})) == "forbidden"
    assert code(await other.call("end_chat", {"conversation_id": cid})) == "forbidden"
    assert other.events["message"] == []


async def test_ended_conversation_is_conflict(chat) -> None:
    seeker, listener, _, cid = chat
    await listener.ok("message", {"conversation_id": cid, "client_id": "a", "text": "take care"})
    await seeker.ok("end_chat", {"conversation_id": cid})
    assert code(await seeker.call("message", {"conversation_id": cid, "client_id": "b", "text": "wait"})) == "conflict"
    assert code(await listener.call("message", {"conversation_id": cid, "client_id": "b", "text": "x"})) == "conflict"
    assert code(await seeker.call("end_chat", {"conversation_id": cid})) == "conflict"
    # a retry of a message stored before the end still acks its first copy
    again = await listener.ok("message", {"conversation_id": cid, "client_id": "a", "text": "take care"})
    assert again["message"]["seq"] == 1
    # the transcript stays readable
    assert (await seeker.ok("resume", {"conversation_id": cid, "after_seq": 0}))["conversation"]["status"] == "ended"


async def test_request_chat_checks(chat) -> None:
    seeker, listener, other, _ = chat
    listed = await listener.ok("list_conversations")
    assert [c["conversation_id"] for c in listed["conversations"]] == [chat[3]]
    assert code(await other.call("request_chat", {"topic": "no-such-topic", "language": "en"})) == "invalid"
    assert code(await other.call("request_chat", {"topic": "talk", "language": "xx"})) == "invalid"
    assert code(await other.call("request_chat", {"language": "en"})) == "invalid"
    assert code(await other.call("request_chat", {"topic": 3, "language": "en"})) == "invalid"
    again = await seeker.call("request_chat", {"topic": "talk", "language": "en"})
    assert code(again) == "conflict"
    assert again["conversation_id"] == chat[3]  # an addition: which conversation is open, to resume it


async def test_unknown_event_and_payload_order(chat) -> None:
    seeker, listener, _, cid = chat
    assert code(await seeker.call("no_such_event", {})) == "invalid"
    assert code(await seeker.call("set_status", {"status": "available"})) == "invalid"  # a listener event
    # payload is checked before access: an invalid payload on someone else's conversation is `invalid`
    assert code(await listener.call("take", {"conversation_id": 12})) == "invalid"
    assert code(await listener.call("set_status", {"status": "busy"})) == "invalid"
    assert code(await listener.call("set_status", {"status": "available", "max_chats": True})) == "invalid"
    assert code(await listener.call("set_status", {"status": "available", "max_chats": 0})) == "invalid"
    # and the server still serves
    assert (await seeker.ok("message", {"conversation_id": cid, "client_id": "z", "text": "still here"}))["message"]


async def test_take_errors(live_server, backends) -> None:
    await create_user(backends.database_url, "tess", max_chats=1)
    listener = await Client(live_server.base_url, "/listener", await login(live_server.base_url, "tess")).connect()
    assert code(await listener.call("take", {"conversation_id": str(uuid.uuid4())})) == "not_found"
    assert code(await listener.call("take", {})) == "conflict"  # nobody waiting
    s1 = await Client(live_server.base_url, "/seeker", await seeker_token(live_server.base_url)).connect()
    s2 = await Client(live_server.base_url, "/seeker", await seeker_token(live_server.base_url)).connect()
    c1 = (await s1.ok("request_chat", {"topic": "grief", "language": "en"}))["conversation_id"]
    c2 = (await s2.ok("request_chat", {"topic": "grief", "language": "en"}))["conversation_id"]
    taken = await listener.ok("take", {"conversation_id": c2})
    assert taken["conversation"]["conversation_id"] == c2 and taken["conversation"]["status"] == "active"
    assert code(await listener.call("take", {"conversation_id": c2})) == "conflict"  # already taken
    assert code(await listener.call("take", {"conversation_id": c1})) == "conflict"  # at capacity
    await s2.wait_for("matched")
    for c in (listener, s1, s2):
        await c.close()


async def test_http_bad_input(live_server, backends) -> None:
    base = live_server.base_url
    status, body = await post_json(base, "/api/login", raw=b"{not json")
    assert status == 400 and body["error"]["code"] == "invalid"
    status, body = await post_json(base, "/api/login", raw=b"[1, 2]")
    assert status == 400 and body["error"]["code"] == "invalid"
    status, body = await post_json(base, "/api/login", {"username": "nobody", "password": "whatever1"})
    assert status == 401 and body["error"]["code"] == "unauthorized"
    await create_user(backends.database_url, "wren", password="the right password")
    status, body = await post_json(base, "/api/login", {"username": "wren", "password": "the wrong password"})
    assert status == 401 and body["error"]["code"] == "unauthorized"
    status, body = await post_json(base, "/api/login", {"username": "wren", "password": 12345678})
    assert status == 400 and body["error"]["code"] == "invalid"
    status, body = await post_json(base, "/api/seekers", {"language": "klingon"})
    assert status == 400 and body["error"]["code"] == "invalid"
    status, body = await post_json(base, "/api/seekers", raw=b"\xff\xfe")
    assert status == 400 and body["error"]["code"] == "invalid"
    status, body = await get_json(base, "/api/nowhere")
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body = await get_json(base, "/api/topics")
    assert status == 200 and {"id": "veterans", "label": "Veterans & PTSD"} in body["topics"]
    status, body = await get_json(base, "/healthz")
    assert status == 200 and body["status"] == "ok"
    assert (await get_json(base, "/readyz")) == (200, {"status": "ok"})


def forged(role: str = "seeker", sub: str | None = None, secret: str = TEST_SECRET, **claims) -> str:
    now = int(time.time())
    payload = {
        "sub": sub or str(uuid.uuid4()),
        "role": role,
        "iat": now,
        "exp": now + 600,
        "jti": "j1",
        **claims,
    }
    return jwt.encode(payload, secret, algorithm="HS256")


async def test_tokens_refused_at_connect(live_server, backends) -> None:
    base = live_server.base_url
    seeker = await seeker_token(base)
    uid = await create_user(backends.database_url, "lin")
    listener = await login(base, "lin")
    unsigned = jwt.encode({"sub": uid, "role": "listener", "iat": 0, "exp": 2**31, "jti": "x"}, None, algorithm="none")
    refused = {
        "missing": None,
        "empty": "",
        "malformed": "not.a.jwt",
        "number": 12345,
        "unsigned": unsigned,
        "wrong key": forged("listener", uid, secret="another-secret-" + "y" * 40),
        "expired": forged("listener", uid, exp=int(time.time()) - 10),
        "unknown subject": forged("listener"),
        "seeker token on /listener": seeker,
    }
    for name, token in refused.items():
        assert await connect_error(base, "/listener", token) == "unauthorized", name
    assert await connect_error(base, "/seeker", listener) == "unauthorized"
    assert await connect_error(base, "/supervisor", listener) == "unauthorized"
    assert await connect_error(base, "/supervisor", seeker) == "unauthorized"
    assert await connect_error(base, "/seeker", forged("seeker")) == "unauthorized"  # no such seeker
    # deactivated staff are refused too

    done = run_cli({**live_server.env}, "user", "deactivate", "lin")
    assert done.returncode == 0, done.stderr
    assert await connect_error(base, "/listener", listener) == "unauthorized"
    status, _ = await post_json(base, "/api/login", {"username": "lin", "password": "correct horse battery"})
    assert status == 401
