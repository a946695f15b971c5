"""Paging someone when no supervisor answers: a JSON POST to a pager or SMS gateway, retried.

The body carries no message text — only what a person needs to open the dashboard.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


def page_body(escalation: dict[str, Any], dashboard_url: str | None) -> dict[str, Any]:
    return {
        "escalation_id": escalation["escalation_id"],
        "conversation_id": escalation["conversation_id"],
        "category": escalation["category"],
        "severity": escalation["severity"],
        "source": escalation["source"],
        "created_at": escalation["created_at"],
        "dashboard_url": f"{dashboard_url.rstrip('/')}/supervisor" if dashboard_url else None,
    }


async def deliver(
    session: aiohttp.ClientSession,
    url: str,
    body: dict[str, Any],
    *,
    first_delay_s: float = 0.5,
    max_delay_s: float = 60.0,
    attempts: int | None = None,
) -> bool:
    """POST until a 2xx answer (exponential backoff); False only when ``attempts`` ran out."""
    delay = first_delay_s
    tried = 0
    while attempts is None or tried < attempts:
        tried += 1
        try:
            async with session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=10)) as resp:
                if 200 <= resp.status < 300:
                    return True
                log.warning("escalation webhook answered %d (attempt %d)", resp.status, tried)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("escalation webhook failed (attempt %d): %s", tried, type(exc).__name__)
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_delay_s)
    return False
