"""``python -m bench.groups``: support group rooms under load — delivery latency, lost and duplicated messages.

The issue's figure: 10 sessions x 30 members, 20 messages a second per session, on two service processes
sharing one PostgreSQL and Redis. Members are Socket.IO clients of the Node generator (``bench/loadgen``,
mode ``groups``: a python-socketio client costs too much CPU per packet to keep up with ~5,800 deliveries a
second), split across the processes. Sending is open-loop: each session's messages have scheduled send
times (realistic, unique texts) and a delivery's latency is measured from its schedule, so a backlog cannot
hide. A warm-up is sent first and not measured; then three runs, each's p99 reported, median and spread. A
message counts as *lost* for a member when it was acked but had not reached them live when the generator
stopped listening (5 s after the last send), and *duplicated* when it reached them twice. Not a test: run
it by hand, on the benchmark's own backends (``bench/backends.py``: they are truncated and flushed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

import asyncpg

from bench import backends
from bench.processes import ROOT, run_loadgen, running, service_server
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


def _report(result: dict[str, Any]) -> dict[str, Any]:
    """The figures: per run delivery p50/p99 and stored msg/s, their median and spread; lost and duplicated."""
    runs = result["runs"]
    p99s = sorted(r["delivery_ms"].get("p99", 0.0) for r in runs)
    p50s = sorted(r["delivery_ms"].get("p50", 0.0) for r in runs)
    stored = sorted(round(r["stored_per_s_per_session"], 1) for r in runs)
    return {
        "sessions": result["sessions"],
        "members_per_session": result["members"],
        "offered_msgs_per_s_per_session": result["rate_per_session"],
        "runs": len(runs),
        "seconds_per_run": result["seconds"],
        "stored_msgs_per_s_per_session_median": statistics.median(stored),
        "stored_msgs_per_s_per_session_spread": [stored[0], stored[-1]],
        "deliveries_expected": result["expected_deliveries"],
        "lost": result["lost"],
        "duplicated": result["duplicated"],
        "send_failures": result["failed"],
        "errors": result["errors"],
        "delivery_p50_ms_median": statistics.median(p50s),
        "delivery_p99_ms_median": statistics.median(p99s),
        "delivery_p99_ms_spread": [p99s[0], p99s[-1]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.groups")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--members", type=int, default=30)
    parser.add_argument("--rate", type=float, default=20.0, help="messages a second per session")
    parser.add_argument("--seconds", type=float, default=10.0, help="the length of each measured run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup-seconds", type=float, default=3.0, help="sent before the runs, not measured")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--detector-model", choices=("on", "off"), default=None, help="DETECTOR_MODEL (default: on)")
    parser.add_argument("--database-url", default=None, help="the benchmark's own database (truncated!)")
    parser.add_argument("--redis-url", default=None, help="the benchmark's own Redis db (FLUSHDB!)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / time.strftime("%Y%m%d-%H%M%S"))
    args = parser.parse_args(argv)
    backends.use(args.database_url, args.redis_url)
    args.out.mkdir(parents=True, exist_ok=True)
    session_ids = asyncio.run(_seed(args.sessions, max(2, min(50, args.members))))
    env = backends.service_env(args.detector_model)
    servers = [service_server(args.out, f"groups-{i}", env) for i in range(args.processes)]
    config = {
        "mode": "groups",
        "urls": [s.url for s in servers],
        "sessions": session_ids,
        "members": args.members,
        "rate": args.rate,
        "seconds": args.seconds,
        "runs": args.runs,
        "warmupSeconds": args.warmup_seconds,
        "drainSeconds": 5,
    }
    budget = 60 + args.warmup_seconds + args.runs * args.seconds
    with running(*servers):
        result = _report(run_loadgen(config, args.out, "groups", timeout_s=budget))
    (args.out / "groups.json").write_text(json.dumps(result, indent=2))
    for key, value in result.items():
        print(f"{key:32} {value}")
    return 0 if result["lost"] == 0 and result["duplicated"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
