"""After a PostgreSQL commit, side effects must not turn "stored" into an error.

Once a message or conversation is committed, the client is told so even if Redis hiccups while
queueing, counting or announcing: the periodic reconcilers repair the index from PostgreSQL, and
clients catch up with ``resume``. Failures are logged with what failed, never with message text.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


async def best_effort(step: Awaitable[T], what: str) -> T | None:
    try:
        return await step
    except Exception as exc:
        log.warning("%s failed after commit (%s); the reconcilers will repair it", what, type(exc).__name__)
        return None
