"""Nobody can lock a supervisor out: not a page on another site, not a guesser from elsewhere.

The server runs the shipped login limits. Client addresses are simulated with ``X-Forwarded-For``
from a trusted proxy (this test's own address, ``TRUSTED_PROXIES``), as nginx would send them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from tests.conftest import Backends
from tests.support import ServerProcess, create_user

PASSWORD = "the owner's long password"
SHIPPED = ("RATE_LIMIT_LOGINS_PER_ADDRESS", "RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_ADDRESS")


@pytest.fixture
def login_server(backends: Backends) -> Iterator[ServerProcess]:
    env = backends.server_env(TRUST_X_FORWARDED_FOR="1", TRUSTED_PROXIES="127.0.0.1/32")
    for name in (*SHIPPED, "RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME"):
        env.pop(name)  # the limits as shipped
    server = ServerProcess(env).start()
    yield server
    server.stop()


async def attempt(
    server: ServerProcess,
    password: str,
    *,
    address: str | None = None,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> tuple[int, Any]:
    body = json.dumps({"username": "sup", "password": password})  # sent raw, as a page would
    sent = {"Content-Type": content_type, **(headers or {})}
    if address is not None:
        sent["X-Forwarded-For"] = address
    async with (
        aiohttp.ClientSession() as http,
        http.post(server.base_url + "/api/login", data=body.encode(), headers=sent) as resp,
    ):
        return resp.status, await resp.json(content_type=None)


async def test_cross_site_simple_posts_cannot_lock_the_owner_out(login_server: ServerProcess, backends) -> None:
    await create_user(backends.database_url, "sup", password=PASSWORD, role="supervisor")
    evil = {"Origin": "http://evil.example"}
    # what any web page can make its visitors' browsers send: text/plain, no preflight
    answers = [await attempt(login_server, "wrong guess", headers=evil, content_type="text/plain") for _ in range(15)]
    assert {status for status, _ in answers} == {403}, answers
    assert answers[0][1]["error"]["code"] == "forbidden"
    status, body = await attempt(login_server, "wrong guess", headers=evil)  # JSON, but foreign: refused too
    assert status == 403 and body["error"]["code"] == "forbidden"
    status, body = await attempt(login_server, "wrong guess", content_type="text/plain")  # no Origin: still not JSON
    assert status == 415 and body["error"]["code"] == "invalid"
    own = {"Origin": login_server.base_url}
    status, body = await attempt(login_server, PASSWORD, headers=own)  # the owner, from the dashboard
    assert status == 200, body
    assert body["role"] == "supervisor"


async def test_wrong_logins_from_elsewhere_do_not_lock_the_owner_out(login_server: ServerProcess, backends) -> None:
    await create_user(backends.database_url, "sup", password=PASSWORD, role="supervisor")
    attacker = "203.0.113.9"
    statuses = [(await attempt(login_server, f"guess {i}", address=attacker))[0] for i in range(15)]
    assert statuses == [401] * 10 + [429] * 5, statuses  # the guesser is slowed down
    assert (await attempt(login_server, PASSWORD, address=attacker))[0] == 429  # even with the right one
    status, body = await attempt(login_server, PASSWORD, address="198.51.100.20")  # the owner, elsewhere
    assert status == 200, body

    # a guesser spread over many addresses: once the username has 30 recent failures, an address with
    # a failure may not try again, a fresh one gets one try — and the owner still gets in
    spread = [f"192.0.2.{i}" for i in range(1, 26)]
    first = [(await attempt(login_server, "spread guess", address=a))[0] for a in spread]
    assert first == [401] * 25, first
    again = [(await attempt(login_server, "spread again", address=a))[0] for a in spread[:5]]
    assert again == [429] * 5, again
    status, body = await attempt(login_server, PASSWORD, address="198.51.100.21")
    assert status == 200, body
