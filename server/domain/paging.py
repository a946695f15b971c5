"""Paging someone when no supervisor answers: a JSON POST to a pager or SMS gateway, retried.

The body carries no message text — only what a person needs to open the dashboard.
"""

from __future__ import annotations

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


async def post_page(session: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> bool:
    """One attempt; True on a 2xx answer. The caller retries with backoff (``AlertChannel``)."""
    try:
        async with session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=10)) as resp:
            if 200 <= resp.status < 300:
                return True
            log.warning("escalation webhook answered %d", resp.status)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("escalation webhook failed: %s", type(exc).__name__)
    return False
