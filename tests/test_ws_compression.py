"""The server declines WebSocket per-message compression even when the client offers it (browsers do)."""

from __future__ import annotations

import aiohttp


async def test_offered_deflate_is_declined(live_server) -> None:
    url = f"{live_server.base_url}/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as http, http.ws_connect(url, compress=15) as ws:
        assert ws.compress == 0  # no permessage-deflate in the handshake answer
        opening = await ws.receive_str()
        assert opening.startswith("0{")  # Engine.IO still opens normally
