"""The detector's window kept per conversation in each process is never stale: when the seeker's
previous message was stored by another process, the window is rebuilt before the verdict."""

from __future__ import annotations

import asyncpg

from server.domain.seeker_windows import SeekerWindow, SeekerWindows
from tests.support import Client, seeker_token


async def test_a_crisis_split_over_two_processes_is_assessed_on_the_whole_window(two_servers, backends) -> None:
    a, b = two_servers
    token = await seeker_token(a.base_url)
    on_a = await Client(a.base_url, "/seeker", token).connect()
    first = await on_a.ok("request_chat", {"topic": "talk", "language": "en", "text": "hello"})
    cid = first["conversation_id"]
    await on_a.ok(
        "message", {"conversation_id": cid, "client_id": "m2", "text": "my weekend was quiet, mostly reading"}
    )

    # the seeker's connection drops and lands on the other process for one message
    on_b = await Client(b.base_url, "/seeker", token).connect()
    await on_b.ok("resume", {"conversation_id": cid, "after_seq": 0})
    await on_b.ok("message", {"conversation_id": cid, "client_id": "m3", "text": "i have them"})
    await on_b.close()

    # back on the first process, whose own copy of the window does not know "i have them": alone,
    # "all 40. tonight" after the first two messages is not a crisis; after "i have them" it is
    await on_a.ok("message", {"conversation_id": cid, "client_id": "m4", "text": "all 40. tonight"})
    await on_a.wait_for("crisis_resources", timeout=15)

    conn = await asyncpg.connect(backends.database_url)
    try:
        escalations = await conn.fetchval("select count(*) from escalations where conversation_id = $1::uuid", cid)
        seqs = await conn.fetch(
            "select seq, client_id from messages where conversation_id = $1::uuid order by seq", cid
        )
    finally:
        await conn.close()
    assert escalations == 1
    assert [r["client_id"] for r in seqs][1:] == ["m2", "m3", "m4"]  # each stored once, in order
    assert [r["seq"] for r in seqs] == [1, 2, 3, 4]
    await on_a.close()


def test_the_kept_window_is_bounded_and_holds_the_newest_messages() -> None:
    windows = SeekerWindows(size=2, capacity=3)
    start = SeekerWindow((), 0)
    windows.stored("c1", start, "one", 1)
    windows.stored("c1", windows.get("c1") or start, "two", 3)
    windows.stored("c1", windows.get("c1") or start, "three", 4)
    assert windows.get("c1") == SeekerWindow(("two", "three"), 4)
    for cid in ("c2", "c3", "c4"):
        windows.stored(cid, start, "hello", 1)
    assert len(windows) == 3 and windows.get("c1") is None  # least recently used out first
    windows.stored("c2", start, "staff-only copies have no seq", None)
    assert windows.get("c2") is None


def test_a_window_of_one_message_keeps_nothing() -> None:
    assert SeekerWindow(("a",), 1).then("b", 2, 0) == SeekerWindow((), 2)
