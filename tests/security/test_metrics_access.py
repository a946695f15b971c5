"""``/metrics`` tells whether a supervisor is online: only the monitoring system may read it."""

from __future__ import annotations

import aiohttp

from tests.support import METRICS_TOKEN, ServerProcess, create_user, login, metrics_text, seeker_token


async def get_metrics(server: ServerProcess, authorization: str | None) -> tuple[int, str]:
    headers = {"Authorization": authorization} if authorization is not None else {}
    async with aiohttp.ClientSession() as http, http.get(server.base_url + "/metrics", headers=headers) as resp:
        return resp.status, await resp.text()


async def test_metrics_need_the_metrics_token(live_server: ServerProcess, backends) -> None:
    await create_user(backends.database_url, "met-sam", role="supervisor")
    staff = await login(live_server.base_url, "met-sam")
    for authorization in (
        None,
        f"Bearer {METRICS_TOKEN[:-1]}",
        f"Basic {METRICS_TOKEN}",
        f"Bearer {staff}",  # a supervisor's own token is not the monitoring system's
        f"Bearer {await seeker_token(live_server.base_url)}",
    ):
        status, body = await get_metrics(live_server, authorization)
        assert status == 401, (authorization, status)
        assert "peerline_sockets" not in body and '"unauthorized"' in body
    text = await metrics_text(live_server)  # with the token
    assert "peerline_sockets" in text


async def test_without_a_metrics_token_metrics_are_not_served(backends) -> None:
    env = backends.server_env()
    del env["METRICS_TOKEN"]
    server = ServerProcess(env).start()
    try:
        for authorization in (None, f"Bearer {METRICS_TOKEN}", "Bearer "):
            status, body = await get_metrics(server, authorization)
            assert status == 401 and "peerline_" not in body, (authorization, status)
    finally:
        server.stop()
