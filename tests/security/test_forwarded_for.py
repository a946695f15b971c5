"""``X-Forwarded-For`` counts only when it comes from one of our proxies (``TRUSTED_PROXIES``).

This test's client reaches the server directly from 127.0.0.1. When that is not a configured proxy,
rotating the header must not buy a fresh per-address budget; when it is, each forwarded address is
its own client (as behind nginx).
"""

from __future__ import annotations

import aiohttp

from tests.conftest import Backends
from tests.support import ServerProcess

LIMIT = 5


async def sessions(server: ServerProcess, forwarded: list[str]) -> list[int]:
    statuses = []
    async with aiohttp.ClientSession() as http:
        for value in forwarded:
            async with http.post(server.base_url + "/api/seekers", json={}, headers={"X-Forwarded-For": value}) as resp:
                statuses.append(resp.status)
    return statuses


def limited_env(backends: Backends, proxies: str) -> dict[str, str]:
    return backends.server_env(
        RATE_LIMIT_SEEKER_SESSIONS_PER_ADDRESS=f"{LIMIT}/minute",
        TRUST_X_FORWARDED_FOR="1",
        TRUSTED_PROXIES=proxies,
        REDIS_URL=backends.isolated_redis_url(),
    )


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(backends: Backends) -> None:
    server = ServerProcess(limited_env(backends, "10.0.0.0/8")).start()  # our proxies live elsewhere
    try:
        rotating = [f"198.51.100.{i}" for i in range(2 * LIMIT)]
        assert await sessions(server, rotating) == [201] * LIMIT + [429] * LIMIT
    finally:
        server.stop()


async def test_forwarded_for_from_a_trusted_proxy_names_the_client(backends: Backends) -> None:
    server = ServerProcess(limited_env(backends, "127.0.0.1/32, 10.0.0.0/8")).start()
    try:
        # each a different client through our proxy (and a proxy chain: the entry left of our own proxies)
        clients = [f"203.0.113.{i}" for i in range(2 * LIMIT)] + ["192.0.2.7, 10.1.2.3"]
        assert await sessions(server, clients) == [201] * (2 * LIMIT + 1)
        # a client cannot pick a fresh address by writing one to the left of what our proxy appended
        forged = [f"192.0.2.{i}, 203.0.113.0" for i in range(LIMIT)]
        assert await sessions(server, forged) == [201] * (LIMIT - 1) + [429]
    finally:
        server.stop()
