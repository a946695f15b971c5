"""``python -m bench.groups``: support group rooms under load — delivery latency, lost and duplicated messages.

The issue's figure: 10 sessions x 30 members, 20 messages a second per session, on two service processes
sharing one PostgreSQL and Redis. Members are real Socket.IO clients (python-socketio) split across the
processes; every message carries its send time, so each receiver measures send → delivery (one clock:
everything runs on this machine). A message counts as *lost* for a member when its seq was stored (acked)
but never reached them live, and *duplicated* when a seq reached them twice. Not a test: run it by hand,
on the benchmark's own backends (``bench/backends.py``: they are truncated and flushed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import socketio

from bench import backends
from bench.processes import ROOT, running, service_server
from server.store import groups as store


async def _seed(sessions: int, capacity: int) -> list[str]:
    await backends._reset_and_seed(0, 1, backends.DATABASE_URL, backends.REDIS_URL)
    conn = await asyncpg.connect(backends.DATABASE_URL)
    try:
        ids = []
        for i in range(sessions):
            group = await store.create_group(
                conn,
                topic="talk",
                language="en",
                title=f"Bench circle {i}",
                description="",
                guidelines="Be kind.",
                capacity=capacity,
                facilitators=[],
                created_by=None,
            )
            ids.append((await store.create_session(conn, group.id, starts_at=None, duration_min=600)).id)
        return ids
    finally:
        await conn.close()


class Member:
    def __init__(self, url: str, token: str, session_id: str, alias: str) -> None:
        self.url, self.token, self.session_id, self.alias = url, token, session_id, alias
        self.sio = socketio.AsyncClient(reconnection=False)
        self.received: dict[int, int] = defaultdict(int)
        self.latencies_ms: list[float] = []
        self.own: list[int] = []
        self.failures = 0

        @self.sio.on("message", namespace="/groups")
        async def _message(m: dict[str, Any]) -> None:
            self.received[m["seq"]] += 1
            sent_ns = int(m["text"].rsplit(" ", 1)[-1])
            self.latencies_ms.append((time.time_ns() - sent_ns) / 1e6)

    async def join(self) -> None:
        await self.sio.connect(self.url, namespaces=["/groups"], auth={"token": self.token}, transports=["websocket"])
        ack = await self.sio.call(
            "join",
            {"session_id": self.session_id, "alias": self.alias, "accept_guidelines": True},
            namespace="/groups",
            timeout=30,
        )
        assert ack["ok"], ack

    async def talk(self, every_s: float, until: float) -> None:
        await asyncio.sleep(random.uniform(0, every_s))
        n = 0
        while time.monotonic() < until:
            started = time.monotonic()
            n += 1
            payload = {
                "session_id": self.session_id,
                "client_id": f"{self.alias}-{n}",
                "text": f"bench {time.time_ns()}",
            }
            try:
                ack = await self.sio.call("message", payload, namespace="/groups", timeout=10)
                if ack.get("ok"):
                    self.own.append(ack["message"]["seq"])
                else:
                    self.failures += 1
            except Exception:
                self.failures += 1
            await asyncio.sleep(max(0.0, every_s - (time.monotonic() - started)))


async def _seekers(url: str, n: int) -> list[str]:
    async with aiohttp.ClientSession() as http:

        async def one() -> str:
            async with http.post(url + "/api/seekers", json={"language": "en"}) as resp:
                return (await resp.json())["token"]

        return list(await asyncio.gather(*(one() for _ in range(n))))


async def _run(urls: list[str], session_ids: list[str], members: int, rate: float, seconds: float) -> dict[str, Any]:
    tokens = await _seekers(urls[0], len(session_ids) * members)
    people = [
        Member(urls[(s * members + m) % len(urls)], tokens[s * members + m], sid, f"Member {s} {m}")
        for s, sid in enumerate(session_ids)
        for m in range(members)
    ]
    for batch in range(0, len(people), 50):
        await asyncio.gather(*(p.join() for p in people[batch : batch + 50]))
    until = time.monotonic() + seconds
    started = time.monotonic()
    await asyncio.gather(*(p.talk(members / rate, until) for p in people))
    elapsed = time.monotonic() - started
    await asyncio.sleep(3)  # in-flight deliveries
    stored: dict[str, set[int]] = defaultdict(set)
    for p in people:
        stored[p.session_id].update(p.own)
    lost = duplicated = delivered = 0
    latencies: list[float] = []
    for p in people:
        expected = stored[p.session_id] - set(p.own)
        lost += len(expected - set(p.received))
        duplicated += sum(c - 1 for c in p.received.values() if c > 1)
        delivered += sum(p.received.values())
        latencies += p.latencies_ms
    for p in people:
        await p.sio.disconnect()
    latencies.sort()
    sent = sum(len(v) for v in stored.values())

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1) if latencies else 0.0

    return {
        "sessions": len(session_ids),
        "members_per_session": members,
        "offered_msgs_per_s_per_session": rate,
        "seconds": round(elapsed, 1),
        "stored_messages": sent,
        "stored_msgs_per_s_per_session": round(sent / elapsed / len(session_ids), 1),
        "send_failures": sum(p.failures for p in people),
        "deliveries": delivered,
        "lost": lost,
        "duplicated": duplicated,
        "delivery_p50_ms": pct(0.50),
        "delivery_p99_ms": pct(0.99),
        "delivery_max_ms": round(latencies[-1], 1) if latencies else 0.0,
        "delivery_mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        "processes": len(urls),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.groups")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--rate", type=float, default=20.0, help="messages a second per session")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--database-url", default=None, help="the benchmark's own database (truncated!)")
    parser.add_argument("--redis-url", default=None, help="the benchmark's own Redis db (FLUSHDB!)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / time.strftime("%Y%m%d-%H%M%S"))
    args = parser.parse_args(argv)
    backends.use(args.database_url, args.redis_url)
    args.out.mkdir(parents=True, exist_ok=True)
    session_ids = asyncio.run(_seed(args.sessions, max(2, min(50, args.members))))
    env = backends.service_env()
    servers = [service_server(args.out, f"groups-{i}", env) for i in range(args.processes)]
    with running(*servers):
        result = asyncio.run(_run([s.url for s in servers], session_ids, args.members, args.rate, args.seconds))
    (args.out / "groups.json").write_text(json.dumps(result, indent=2))
    for key, value in result.items():
        print(f"{key:32} {value}")
    return 0 if result["lost"] == 0 and result["duplicated"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
