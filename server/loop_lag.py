"""How late the event loop runs: a pause in which no socket of this process was served.

Everything in a process shares one event loop, so a stall anywhere (a full garbage collection, a
slow synchronous call, CPU starvation) delays every chat at once. A timer that should fire every
20 ms measures how late it fires; the histogram ``peerline_event_loop_lag_seconds`` is what an
operator alerts on and what ``bench/`` reads at the edges of each measured run ("pauses > 50 ms").
"""

from __future__ import annotations

import asyncio

from server.metrics import LOOP_LAG

INTERVAL_S = 0.02


async def watch_loop_lag(interval_s: float = INTERVAL_S) -> None:
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        await asyncio.sleep(interval_s)
        LOOP_LAG.observe(max(0.0, loop.time() - started - interval_s))
