"""How every Redis client of this process connects: one set of options, so none of them is forgotten.

After Redis restarts, every connection a pool kept from before is dead. redis-py's own retry
(``Retry`` on ``ConnectionError``/``TimeoutError``) reconnects and repeats the command once, and a
health check before reusing a connection that sat idle catches most of them before the command —
so the first request on each stale connection succeeds instead of failing once more. The backoff
is short and the retries few: during a real outage a caller must learn it quickly (the rate limits
then fall back to per-process counters, the rest answers ``unavailable``).
"""

from __future__ import annotations

from typing import Any

from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError

HEALTH_CHECK_INTERVAL_S = 1
SOCKET_TIMEOUT_S = 5
CONNECT_TIMEOUT_S = 2


def redis_options(max_connections: int, *, commands: bool = True) -> dict[str, Any]:
    """Keyword arguments for ``redis.asyncio.Redis.from_url`` (each client deep-copies the ``Retry``).

    ``commands=False`` is for a client that also holds a pub/sub subscription (the Socket.IO manager):
    a read timeout there would only mean "nothing was published", so it gets none.
    """
    options: dict[str, Any] = {
        "max_connections": max_connections,
        "retry": Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=2),
        "retry_on_error": [ConnectionError, TimeoutError],
        "health_check_interval": HEALTH_CHECK_INTERVAL_S,
        "socket_connect_timeout": CONNECT_TIMEOUT_S,
    }
    if commands:
        options["socket_timeout"] = SOCKET_TIMEOUT_S
    return options
