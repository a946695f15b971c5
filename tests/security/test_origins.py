"""Which sites may open Socket.IO: our own origin and ``ALLOWED_ORIGINS``, whatever headers say.

python-engineio's own same-origin rule takes the host from ``X-Forwarded-Host`` when present, so a
client that sends ``Origin: http://evil.example`` with ``X-Forwarded-Host: evil.example`` was let in.
"""

from __future__ import annotations

import aiohttp

from tests.support import ServerProcess

EVIL = "http://evil.example"


async def open_socket(server: ServerProcess, headers: dict[str, str], transport: str = "websocket") -> int:
    """The HTTP status of an Engine.IO handshake (101 for an accepted WebSocket)."""
    url = f"{server.base_url}/socket.io/?EIO=4&transport={transport}"
    async with aiohttp.ClientSession() as http:
        if transport == "polling":
            async with http.get(url, headers=headers) as resp:
                return resp.status
        try:
            async with http.ws_connect(url, headers=headers) as ws:
                assert (await ws.receive_str()).startswith("0{")
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


async def test_forwarded_host_does_not_make_a_foreign_origin_ours(live_server: ServerProcess) -> None:
    own = f"http://127.0.0.1:{live_server.port}"
    assert await open_socket(live_server, {"Origin": own}) == 101
    assert await open_socket(live_server, {}) == 101  # not a browser: no Origin to check
    assert await open_socket(live_server, {}, "polling") == 200
    for transport in ("websocket", "polling"):
        assert await open_socket(live_server, {"Origin": EVIL}, transport) == 400
        forged = {"Origin": EVIL, "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
        assert await open_socket(live_server, forged, transport) == 400, transport
        assert await open_socket(live_server, {"Origin": "null"}, transport) == 400


async def test_allowed_origins_are_let_in(backends) -> None:
    server = ServerProcess(backends.server_env(ALLOWED_ORIGINS="https://host.example")).start()
    try:
        assert await open_socket(server, {"Origin": "https://host.example"}) == 101
        assert await open_socket(server, {"Origin": f"http://127.0.0.1:{server.port}"}) == 101  # and our own
        assert await open_socket(server, {"Origin": EVIL, "X-Forwarded-Host": "evil.example"}) == 400
    finally:
        server.stop()
