"""Logs carry no message text, tokens, passwords or client addresses — even at DEBUG.

Logs are shipped to places with far weaker access control than the database (log aggregators,
support tickets, screenshots). A whole chat runs against a real server with every log captured:
a crisis message and its escalation, a listener's escalation with a reason, logins (one failed),
a supervisor who joins, whispers, writes and resolves with a note, a resume and a logout. Then the
log is searched for every secret the test sent. All text is invented.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import aiohttp
import pytest

from tests.conftest import Backends
from tests.support import Client, ServerProcess, create_user, login, metrics_text, post_json, seeker_token

CANARY = "quillfen" + secrets.token_hex(3)  # a word no library would ever log on its own
SEEKER_TEXTS = [
    f"hello, my lantern {CANARY}a went out over the marshes",
    f"i am going to kill myself tonight, the pills are ready {CANARY}b",
    f"nobody at the copperworks {CANARY}c would even notice",
]
LISTENER_TEXTS = [f"thank you for telling me, the marsh lantern {CANARY}d matters", f"are you safe now {CANARY}e"]
WHISPER = f"keep them talking about the copperworks {CANARY}f"
SUPERVISOR_TEXT = f"hello, I am a supervisor here with you {CANARY}g"
REASON = f"they mentioned pills by the weir {CANARY}h"
NOTE = f"spoke with them at the weir lodge {CANARY}i"
PASSWORDS = {"priv-lee": "bramble-" + secrets.token_hex(6), "priv-sam": "thistle-" + secrets.token_hex(6)}
WRONG_PASSWORD = "heron-" + secrets.token_hex(6)


@pytest.fixture
def debug_server(backends: Backends) -> Iterator[ServerProcess]:
    server = ServerProcess(backends.server_env(LOG_LEVEL="DEBUG")).start()
    yield server
    server.stop()


def shingles(text: str, size: int = 3) -> set[str]:
    """Runs of three words: a log line quoting part of a message (detector evidence, say) is caught
    even when the whole text is not there."""
    words = re.findall(r"[a-z]+", text.lower())
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


async def test_logs_hold_no_text_tokens_or_passwords(debug_server: ServerProcess, backends: Backends) -> None:
    # ~5 s
    base = debug_server.base_url
    for name, password in PASSWORDS.items():
        role = "listener" if name == "priv-lee" else "supervisor"
        await create_user(backends.database_url, name, password=password, role=role)
    status, _ = await post_json(base, "/api/login", {"username": "priv-lee", "password": WRONG_PASSWORD})
    assert status == 401
    listener_token = await login(base, "priv-lee", PASSWORDS["priv-lee"])
    supervisor_token = await login(base, "priv-sam", PASSWORDS["priv-sam"])
    seeker_tok = await seeker_token(base)
    tokens = [listener_token, supervisor_token, seeker_tok]

    supervisor = await Client(base, "/supervisor", supervisor_token).connect()
    listener = await Client(base, "/listener", listener_token).connect()
    seeker = await Client(base, "/seeker", seeker_tok).connect()
    try:
        await listener.ok("set_status", {"status": "available"})
        first = {"topic": "talk", "language": "en", "text": SEEKER_TEXTS[0], "client_id": "p0"}
        cid = (await seeker.ok("request_chat", first))["conversation_id"]
        await listener.wait_for("assigned")
        await listener.ok("message", {"conversation_id": cid, "client_id": "l0", "text": LISTENER_TEXTS[0]})
        await seeker.ok("message", {"conversation_id": cid, "client_id": "p1", "text": SEEKER_TEXTS[1]})
        alert = await supervisor.wait_for("escalation", lambda e: e["conversation_id"] == cid)
        await seeker.wait_for("crisis_resources")
        await seeker.ok("message", {"conversation_id": cid, "client_id": "p2", "text": SEEKER_TEXTS[2]})
        await listener.ok("message", {"conversation_id": cid, "client_id": "l1", "text": LISTENER_TEXTS[1]})
        manual = await listener.ok(
            "escalate", {"conversation_id": cid, "reason": REASON, "category": "suicide", "severity": "imminent"}
        )
        await supervisor.ok("ack", {"escalation_id": alert["escalation_id"]})
        await supervisor.ok("join", {"conversation_id": cid})
        whisper = {"conversation_id": cid, "client_id": "w0", "text": WHISPER, "visibility": "staff"}
        await supervisor.ok("message", whisper)
        spoken = {"conversation_id": cid, "client_id": "s0", "text": SUPERVISOR_TEXT, "visibility": "all"}
        await supervisor.ok("message", spoken)
        await seeker.wait_for("message", lambda m: m["text"] == SUPERVISOR_TEXT)
        for escalation_id in {alert["escalation_id"], manual["escalation_id"]}:
            await supervisor.ok("resolve", {"escalation_id": escalation_id, "outcome": "de_escalated", "note": NOTE})
        await seeker.ok("resume", {"conversation_id": cid, "after_seq": 0})
        await seeker.ok("end_chat", {"conversation_id": cid})
    finally:
        for client in (seeker, listener, supervisor):
            await client.close()
    async with (
        aiohttp.ClientSession() as http,
        http.post(base + "/api/logout", headers={"Authorization": f"Bearer {listener_token}"}) as resp,
    ):
        assert resp.status == 200, await resp.text()
        await resp.read()
    metrics = await metrics_text(debug_server)

    debug_server.stop()  # flushes every handler
    assert debug_server.log_path is not None
    log = debug_server.log_path.read_text(errors="replace")
    assert "DEBUG" in log, "the server did not log at DEBUG: this test would prove nothing"
    lowered = log.lower()
    texts = [*SEEKER_TEXTS, *LISTENER_TEXTS, WHISPER, SUPERVISOR_TEXT, REASON, NOTE]
    secrets_ = {
        **{f"text {i}": t for i, t in enumerate(texts)},
        **{f"token {i}": t for i, t in enumerate(tokens)},
        **{f"token signature {i}": t.rsplit(".", 1)[1] for i, t in enumerate(tokens)},
        **{f"password {name}": pw for name, pw in PASSWORDS.items()},
        "wrong password": WRONG_PASSWORD,
        "canary word": CANARY,
    }
    leaked = {name for name, value in secrets_.items() if value.lower() in lowered}
    leaked |= {f"words {s!r}" for text in texts for s in shingles(text) if s in lowered}
    assert not leaked, f"found in the server log: {sorted(leaked)}"
    # client addresses: the only place 127.0.0.1 may appear is the line saying where the server listens
    for line in log.splitlines():
        if "127.0.0.1" in line:
            assert "serving on 127.0.0.1" in line, line
    assert CANARY not in metrics
