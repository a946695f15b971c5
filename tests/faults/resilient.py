"""A chat party that survives server deaths the way the browser apps do.

It reconnects to any live process with the same token, resumes from the last contiguous ``seq``,
and retries unacknowledged messages with the same ``client_id``. It counts what it sent, what was
acked and what it received, so a scenario can check the promises: acked ⊆ stored, every stored
message delivered exactly once in ``seq`` order, nothing stored twice.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import asyncpg
import socketio

from tests.support import Client, ServerProcess, create_user, login, seeker_token


class Gone(Exception):
    """No live server answered in time."""


class ResilientParty:
    def __init__(self, servers: Sequence[ServerProcess], namespace: str, token: str, *, prefer: int = 0) -> None:
        self.servers = list(servers)
        self.namespace = namespace
        self.token = token
        self.prefer = prefer
        self.client: Client | None = None
        self.sent: dict[str, str] = {}  # client_id -> text
        self.acked: dict[str, dict[str, Any]] = {}  # client_id -> stored message
        self.by_seq: dict[str, dict[int, dict[str, Any]]] = {}  # conversation -> seq -> message
        self.live_ids: list[str] = []  # ids of live `message` events, all connections
        self.reconnects = 0
        self.unavailable = 0
        self._live_seen = 0

    def _live(self) -> list[ServerProcess]:
        ordered = self.servers[self.prefer :] + self.servers[: self.prefer]
        return [s for s in ordered if s.proc is not None and s.proc.poll() is None]

    async def connect(self, timeout: float = 20.0) -> Client:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for server in self._live():
                client = Client(server.base_url, self.namespace, self.token)
                try:
                    await client.connect()
                except (socketio.exceptions.ConnectionError, OSError, TimeoutError):
                    await client.close()
                    continue
                if self.client is not None:
                    self._harvest(self.client)
                    self.reconnects += 1
                self.client = client
                self._live_seen = 0
                return client
            await asyncio.sleep(0.2)
        raise Gone(f"no server accepted {self.namespace}")

    def _record(self, m: dict[str, Any]) -> None:
        if m.get("seq") is not None:
            self.by_seq.setdefault(m["conversation_id"], {}).setdefault(m["seq"], m)

    def _harvest(self, client: Client) -> None:
        for m in client.events["message"][self._live_seen :]:
            self.live_ids.append(m["id"])
            self._record(m)

    def collect(self) -> None:
        """Fold the current connection's live events into the record (idempotent)."""
        if self.client is None:
            return
        self._harvest(self.client)
        self._live_seen = len(self.client.events["message"])

    def contiguous_seq(self, conversation_id: str) -> int:
        have = self.by_seq.get(conversation_id, {})
        n = 0
        while n + 1 in have:
            n += 1
        return n

    async def call(self, event: str, payload: Any, *, attempts: int = 60) -> dict[str, Any]:
        """Call until a definite answer; a dead server or `unavailable` means reconnect and retry."""
        for _ in range(attempts):
            if self.client is None or not self.client.sio.connected:
                await self.connect()
            assert self.client is not None
            try:
                ack = await self.client.call(event, payload, timeout=3)
            except (
                TimeoutError,
                socketio.exceptions.TimeoutError,
                socketio.exceptions.BadNamespaceError,
                socketio.exceptions.DisconnectedError,
            ):
                await self.client.close()
                await asyncio.sleep(0.2)
                continue
            if ack.get("ok") is False and ack["error"]["code"] == "unavailable":
                self.unavailable += 1
                await asyncio.sleep(0.3)
                continue
            return ack
        raise Gone(f"{event} never got a definite answer")

    async def send(self, conversation_id: str, client_id: str, text: str) -> dict[str, Any]:
        self.sent[client_id] = text
        ack = await self.call("message", {"conversation_id": conversation_id, "client_id": client_id, "text": text})
        assert ack["ok"], ack
        self.acked[client_id] = ack["message"]
        self._record(ack["message"])
        return ack["message"]

    async def resume(self, conversation_id: str) -> dict[str, Any]:
        self.collect()
        after = self.contiguous_seq(conversation_id)
        ack = await self.call("resume", {"conversation_id": conversation_id, "after_seq": after})
        assert ack["ok"], ack
        for m in ack["messages"]:
            self._record(m)
        return ack

    async def close(self) -> None:
        if self.client is not None:
            self.collect()
            await self.client.close()


async def stored_messages(database_url: str, conversation_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch(
            "select id::text, seq, client_id, sender, text from messages"
            " where conversation_id = $1::uuid and seq is not null order by seq",
            conversation_id,
        )
    finally:
        await conn.close()


def assert_promises(stored: list[asyncpg.Record], parties: Sequence[ResilientParty], conversation_id: str) -> None:
    """acked ⊆ stored; nothing stored twice; every party holds every stored message once, in order."""
    seqs = [r["seq"] for r in stored]
    assert seqs == list(range(1, len(stored) + 1)), "a gap or a duplicate seq"
    by_sender_client = [(r["sender"], r["client_id"]) for r in stored]
    assert len(by_sender_client) == len(set(by_sender_client)), "a message stored twice"
    stored_ids = {r["id"] for r in stored}
    for party in parties:
        for message in party.acked.values():
            if message["conversation_id"] == conversation_id:
                assert message["id"] in stored_ids, "acked but not stored"
        have = party.by_seq.get(conversation_id, {})
        assert sorted(have) == seqs, "a party is missing messages"
        assert [have[s]["id"] for s in seqs] == [r["id"] for r in stored]
        assert len(party.live_ids) == len(set(party.live_ids)), "a live message delivered twice"


async def paired(
    servers: Sequence[ServerProcess], backends: Any, *, seeker_on: int, listener_on: int, name: str = "lee"
) -> tuple[ResilientParty, ResilientParty, str]:
    """A listener on one process, a seeker on another (or the same), paired: the start of every crash scenario."""
    await create_user(backends.database_url, name)
    base = servers[0].base_url
    listener = ResilientParty(servers, "/listener", await login(base, name), prefer=listener_on)
    seeker = ResilientParty(servers, "/seeker", await seeker_token(base), prefer=seeker_on)
    await listener.connect()
    await listener.call("set_status", {"status": "available"})
    await seeker.connect()
    ack = await seeker.call("request_chat", {"topic": "talk", "language": "en"})
    cid = ack["conversation_id"]
    assert listener.client is not None
    await listener.client.wait_for("assigned")
    return seeker, listener, cid
