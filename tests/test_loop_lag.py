"""A stalled event loop is seen: the loop-lag histogram records a pause as long as the stall."""

from __future__ import annotations

import asyncio
import time

from server.loop_lag import watch_loop_lag
from server.metrics import LOOP_LAG


def _over(seconds: float) -> float:
    """Observations above ``seconds`` so far (total minus the bucket at that bound)."""
    total = under = 0.0
    for metric in LOOP_LAG.collect():
        for sample in metric.samples:
            if sample.name.endswith("_count"):
                total = sample.value
            elif sample.name.endswith("_bucket") and float(sample.labels["le"]) == seconds:
                under = sample.value
    return total - under


async def test_a_blocked_loop_is_counted_as_a_pause() -> None:
    watcher = asyncio.create_task(watch_loop_lag(0.01))
    try:
        await asyncio.sleep(0.05)
        before = _over(0.1)
        time.sleep(0.3)  # a synchronous stall: nothing else runs on the loop meanwhile
        await asyncio.sleep(0.05)
        assert _over(0.1) >= before + 1
    finally:
        watcher.cancel()
