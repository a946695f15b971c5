"""Floods: one abusive client is limited, and everyone else on the same process keeps being served.

A seeker in crisis must not wait because someone else's script is hammering the same server; the
limits ship on (``RATE_LIMIT_EVENTS_PER_SOCKET`` 30/second, ``RATE_LIMIT_CONNECTIONS_PER_ADDRESS``
120/minute), so this server runs with the defaults for those two.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import socketio

from tests.conftest import Backends
from tests.security.fuzzing import assert_serving
from tests.support import Client, ServerProcess, create_user, login, post_json, seeker_token

FLOOD_RATE = 500  # messages a second from the abusive client
FLOOD_SECONDS = 3.0
P95_BOUND_S = 0.250


@pytest.fixture
def flood_server(backends: Backends) -> Iterator[ServerProcess]:
    """Shipped limits for events and connections; sessions and logins raised (set-up makes many)."""
    env = backends.server_env(
        RATE_LIMIT_EVENTS_PER_SOCKET="30/second",
        RATE_LIMIT_CONNECTIONS_PER_ADDRESS="120/minute",
    )
    server = ServerProcess(env).start()
    yield server
    server.stop()


async def paired(base: str, listener_name: str) -> tuple[Client, Client, str]:
    listener = await Client(base, "/listener", await login(base, listener_name)).connect()
    await listener.ok("set_status", {"status": "available", "max_chats": 1})
    seeker = await Client(base, "/seeker", await seeker_token(base)).connect()
    cid = (await seeker.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")
    return seeker, listener, cid


async def latencies(client: Client, cid: str, count: int, prefix: str, pause_s: float = 0.05) -> list[float]:
    """Sequential messages, as a person types them; each ack means stored (PROTOCOL.md)."""
    out = []
    for i in range(count):
        started = time.perf_counter()
        ack = await client.call("message", {"conversation_id": cid, "client_id": f"{prefix}{i}", "text": "still here"})
        out.append(time.perf_counter() - started)
        assert ack["ok"] is True, ack
        await asyncio.sleep(pause_s)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


async def test_message_flood_is_limited_and_others_keep_their_latency(
    flood_server: ServerProcess, backends: Backends
) -> None:
    # ~8 s
    base = flood_server.base_url
    await create_user(backends.database_url, "flo-a")
    await create_user(backends.database_url, "flo-b")
    flooder, listener_a, cid_a = await paired(base, "flo-a")
    calm, listener_b, cid_b = await paired(base, "flo-b")
    try:
        before = await latencies(calm, cid_b, 40, "before-")
        acks: Counter[str] = Counter()
        sent = 0

        def record(ack: Any = None) -> None:
            acks["ok" if isinstance(ack, dict) and ack.get("ok") else ack["error"]["code"]] += 1

        async def flood() -> None:
            nonlocal sent
            interval = 1 / FLOOD_RATE
            start = time.perf_counter()
            while (elapsed := time.perf_counter() - start) < FLOOD_SECONDS:
                due = int(elapsed / interval) + 1
                while sent < due:
                    payload = {"conversation_id": cid_a, "client_id": f"f{sent}", "text": f"spam {sent}"}
                    await flooder.sio.emit("message", payload, namespace="/seeker", callback=record)
                    sent += 1
                await asyncio.sleep(interval)

        flooding = asyncio.create_task(flood())
        await asyncio.sleep(0.2)
        during = await latencies(calm, cid_b, 40, "during-")
        await flooding
        deadline = time.monotonic() + 10
        while sum(acks.values()) < sent and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        for client in (flooder, listener_a, calm, listener_b):
            await client.close()
    measured = {
        "before_p50_ms": round(statistics.median(before) * 1000, 1),
        "before_p95_ms": round(p95(before) * 1000, 1),
        "during_p50_ms": round(statistics.median(during) * 1000, 1),
        "during_p95_ms": round(p95(during) * 1000, 1),
        "flood_sent": sent,
        "flood_acks": dict(acks),
    }
    print(f"flood: {measured}")
    assert sent >= FLOOD_RATE * FLOOD_SECONDS * 0.8, measured  # the client really flooded
    assert sum(acks.values()) == sent, measured  # every event answered, none dropped
    assert acks["rate_limited"] >= sent * 0.7, measured
    assert acks["ok"] <= 30 * (FLOOD_SECONDS + 2), measured  # 30/second, with slack for the window edges
    assert p95(during) < P95_BOUND_S, measured
    await assert_serving(flood_server)


async def test_connection_flood_from_one_address_is_refused(flood_server: ServerProcess) -> None:
    # ~10 s
    base = flood_server.base_url
    token = await seeker_token(base)
    outcomes: Counter[str] = Counter()
    gate = asyncio.Semaphore(50)

    async def attempt(headers: dict[str, str] | None = None) -> str:
        async with gate:
            client = socketio.AsyncClient(reconnection=False)
            refused: list[Any] = []

            @client.on("connect_error", namespace="/seeker")
            async def _refused(data: Any = None) -> None:
                refused.append(data)

            try:
                await client.connect(
                    base,
                    namespaces=["/seeker"],
                    auth={"token": token},
                    headers=headers or {},
                    transports=["websocket"],
                    wait_timeout=10,
                )
            except socketio.exceptions.ConnectionError:
                pass
            finally:
                connected = client.connected
                if connected:
                    await client.disconnect()
            if connected:
                return "accepted"
            data = refused[0] if refused else None
            return str(data.get("message")) if isinstance(data, dict) else f"refused:{data!r}"

    results = await asyncio.gather(*(attempt() for _ in range(1000)))
    outcomes.update(results)
    print(f"connections: {dict(outcomes)}")
    assert outcomes["accepted"] <= 120, outcomes
    assert outcomes["rate_limited"] >= 1000 - 120, outcomes
    assert set(outcomes) <= {"accepted", "rate_limited"}, outcomes
    # a forged X-Forwarded-For does not buy a fresh budget (TRUST_X_FORWARDED_FOR is off)
    assert await attempt({"X-Forwarded-For": "203.0.113.7"}) == "rate_limited"
    await assert_serving(flood_server)


async def test_session_flood_from_one_address_is_limited(backends: Backends) -> None:
    """``POST /api/seekers`` as shipped: 30 a minute per address, then 429 ``rate_limited``."""
    server = ServerProcess(backends.server_env(RATE_LIMIT_SEEKER_SESSIONS_PER_ADDRESS="30/minute")).start()
    try:
        statuses: Counter[int] = Counter()
        for _ in range(40):
            status, body = await post_json(server.base_url, "/api/seekers", {})
            statuses[status] += 1
            if status == 429:
                assert body["error"]["code"] == "rate_limited", body
        assert statuses == {201: 30, 429: 10}, statuses
    finally:
        server.stop()


async def test_chat_requests_are_limited_per_address(backends) -> None:
    """Many fresh seeker sessions from one address cannot flood the queue with chat requests."""
    from tests.support import Client, seeker_token

    server = ServerProcess(
        backends.server_env(RATE_LIMIT_CHAT_REQUESTS_PER_ADDRESS="3/minute", REDIS_URL=backends.isolated_redis_url())
    ).start()
    try:
        codes = []
        for _ in range(5):
            seeker = await Client(server.base_url, "/seeker", await seeker_token(server.base_url)).connect()
            ack = await seeker.call("request_chat", {"topic": "talk", "language": "en"})
            codes.append("ok" if ack["ok"] else ack["error"]["code"])
            await seeker.close()
        assert codes == ["ok", "ok", "ok", "rate_limited", "rate_limited"]
    finally:
        server.stop()
