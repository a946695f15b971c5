"""Groups on two processes: seats never overfilled; every member gets every message once, in seq order,
even when one process is SIGKILLed mid-conversation and its members resume on the other."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
import redis.asyncio as aioredis

from tests.groups_support import drop_in, fetch, make_facilitator, staff_client
from tests.support import Client, ServerProcess, seeker_token


@pytest.fixture
def two_servers(backends):
    env = backends.server_env(REDIS_URL=backends.isolated_redis_url())
    servers = [ServerProcess(env).start() for _ in range(2)]
    yield servers
    for s in servers:
        s.stop()


async def test_thirty_simultaneous_joins_for_twelve_seats_seat_twelve(two_servers, backends) -> None:
    a = two_servers[0]
    await make_facilitator(backends.database_url, "fran")
    fac = await staff_client(a.base_url, "fran")
    _, session_id = await drop_in(fac, capacity=12)
    tokens = await asyncio.gather(*(seeker_token(a.base_url) for _ in range(30)))
    seekers = [await Client(two_servers[i % 2].base_url, "/groups", t).connect() for i, t in enumerate(tokens)]
    acks = await asyncio.gather(
        *(
            s.call(
                "join", {"session_id": session_id, "alias": f"Member {chr(65 + i // 10)}{i}", "accept_guidelines": True}
            )
            for i, s in enumerate(seekers)
        )
    )
    seated = [ack for ack in acks if ack["ok"]]
    refused = [ack for ack in acks if not ack["ok"]]
    assert len(seated) == 12
    assert {(r["error"]["code"], r["reason"]) for r in refused} == {("conflict", "full")} and len(refused) == 18
    rows = await fetch(
        backends.database_url, "select count(*) from group_members where status = 'joined' and role = 'member'"
    )
    assert rows[0][0] == 12
    r = aioredis.Redis.from_url(backends.isolated_redis_url())
    try:
        assert await r.scard(f"{{pl}}:gseats:{session_id}") == 13  # twelve seekers and the seeded sentinel
    finally:
        await r.aclose()
    assert (await fac.ok("list_sessions"))["sessions"][0]["seats_left"] == 0
    for c in [*seekers, fac]:
        await c.close()


class Member:
    """A seeker in the room who sends its share, records what it receives, and moves process on a crash.

    It behaves as docs/protocol.md asks a client to: it resumes after the last seq up to which it holds
    everything, and drops a seq it already holds (the overlap between a resume answer and live events)."""

    def __init__(self, token: str, alias: str, base_url: str) -> None:
        self.token = token
        self.alias = alias
        self.base_url = base_url
        self.client: Client | None = None
        self.session_id = ""
        self.own: list[int] = []  # seqs of its own messages (they come back in the ack only)
        self.connections: list[Client] = []
        self.resumed: list[list[int]] = []  # per resume, the seqs its answer held
        self.resumes = 0
        self._lock = asyncio.Lock()

    async def join(self, session_id: str) -> None:
        self.session_id = session_id
        self.client = await Client(self.base_url, "/groups", self.token).connect()
        self.connections.append(self.client)
        ack = await self.client.ok("join", {"session_id": session_id, "alias": self.alias, "accept_guidelines": True})
        assert ack["messages"] == []

    def _held(self) -> set[int]:
        seqs = set(self.own)
        for c in self.connections:
            seqs.update(m["seq"] for m in c.events["message"])
        for answer in self.resumed:
            seqs.update(answer)
        return seqs

    def _contiguous(self) -> int:
        held, n = self._held(), 0
        while n + 1 in held:
            n += 1
        return n

    async def move(self, base_url: str) -> None:
        """Reconnect to another process and resume after the last seq up to which it holds everything."""
        async with self._lock:
            if self.base_url == base_url:
                return
            old = self.client
            assert old is not None
            with contextlib.suppress(Exception):
                await old.close()
            self.base_url = base_url
            self.client = await Client(base_url, "/groups", self.token).connect()
            self.connections.append(self.client)
            ack = await self.client.ok("resume", {"session_id": self.session_id, "after_seq": self._contiguous()})
            self.resumes += 1
            self.resumed.append([m["seq"] for m in ack["messages"]])

    async def send_all(self, count: int, fallback: str) -> None:
        for i in range(count):
            payload = {
                "session_id": self.session_id,
                "client_id": f"{self.alias}-{i}",
                "text": f"note {i} from a member",
            }
            while True:
                try:
                    assert self.client is not None
                    ack = await self.client.call("message", payload, timeout=5)
                except Exception:
                    await self.move(fallback)
                    continue
                if ack.get("ok"):
                    seq = ack["message"]["seq"]
                    if seq not in self.own:
                        self.own.append(seq)
                    break
                assert ack["error"]["code"] == "unavailable", ack
                await asyncio.sleep(0.2)

    def accepted(self) -> tuple[list[int], list[int]]:
        """What the member keeps of everyone else's messages, in the order it got them, and what it dropped
        as already held (only ever seqs a resume answer had)."""
        kept: list[int] = []
        dropped: list[int] = []
        held = set(self.own)
        for i, c in enumerate(self.connections):
            sources = ([self.resumed[i - 1]] if i > 0 else []) + [[m["seq"] for m in c.events["message"]]]
            for source in sources:
                for seq in source:
                    if seq in held:
                        dropped.append(seq)
                    else:
                        held.add(seq)
                        kept.append(seq)
        return kept, dropped

    def complete(self, total: int) -> bool:
        return self._held() >= set(range(1, total + 1))


async def test_twenty_members_five_hundred_messages_across_a_sigkill(two_servers, backends) -> None:
    a, b = two_servers
    await make_facilitator(backends.database_url, "fran")
    fac = await staff_client(a.base_url, "fran")
    _, session_id = await drop_in(fac, capacity=20)
    tokens = await asyncio.gather(*(seeker_token(a.base_url) for _ in range(20)))
    members = [Member(t, f"Member {chr(65 + i)}", two_servers[i % 2].base_url) for i, t in enumerate(tokens)]
    for m in members:
        await m.join(session_id)
    on_b = [m for m in members if m.base_url == b.base_url]

    async def kill_midway() -> None:
        while sum(len(m.own) for m in members) < 250:
            await asyncio.sleep(0.01)
        b.kill()
        for m in on_b:  # the idle ones too: every client of the dead process reconnects
            await m.move(a.base_url)

    killer = asyncio.create_task(kill_midway())
    await asyncio.gather(*(m.send_all(25, a.base_url) for m in members))
    await killer
    expected = list(range(1, 501))

    async def complete(m: Member) -> None:
        for _ in range(300):
            if m.complete(500):
                return
            await asyncio.sleep(0.1)

    await asyncio.gather(*(complete(m) for m in members))
    assert all(m.resumes == 1 for m in on_b)
    for m in members:
        assert len(m.own) == 25, m.alias
        for c in m.connections:  # each connection's live stream: strictly in seq order, never twice
            live = [e["seq"] for e in c.events["message"]]
            assert live == sorted(set(live)), f"{m.alias}: live stream out of order or twice"
        kept, dropped = m.accepted()
        assert kept == sorted(kept), f"{m.alias}: out of order"
        assert sorted(kept + m.own) == expected, f"{m.alias}: missing {sorted(set(expected) - set(kept + m.own))[:10]}"
        resumed = {s for answer in m.resumed for s in answer}
        assert set(dropped) <= resumed | set(m.own), f"{m.alias}: dropped {dropped} not from a resume"
        if m not in on_b:
            assert dropped == [], f"{m.alias} never moved, yet got a seq twice"
    rows = await fetch(backends.database_url, "select count(*), max(seq) from group_messages")
    assert tuple(rows[0]) == (500, 500)
    for m in members:
        if m.client is not None:
            await m.client.close()
    await fac.close()
