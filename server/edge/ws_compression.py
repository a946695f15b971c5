"""WebSocket per-message compression off for python-engineio's aiohttp transport.

python-engineio opens aiohttp's ``WebSocketResponse`` with its default ``compress=True`` and has no
setting to change it. Every browser offers permessage-deflate, so every socket then carries a zlib
compressor and decompressor (~120 KB more memory per idle socket: 10,000 sockets cost 1.5 GB instead of
0.3 GB), connecting takes longer, and every tiny chat frame pays for deflate — while our frames are
~300 bytes of JSON that deflate barely shrinks. Declining the extension is standard WebSocket
behaviour: the client simply sends and receives uncompressed frames.
"""

from __future__ import annotations

from typing import Any

import socketio
from aiohttp.web import WebSocketResponse
from engineio.async_drivers.aiohttp import WebSocket


class UncompressedWebSocket(WebSocket):  # type: ignore[misc]
    """engineio's aiohttp WebSocket wrapper, with the one argument it does not let us pass."""

    async def __call__(self, environ: dict[str, Any]) -> WebSocketResponse:
        request = environ["aiohttp.request"]
        self._sock = WebSocketResponse(max_msg_size=self.server.max_http_buffer_size, compress=False)
        await self._sock.prepare(request)
        self.environ = environ
        await self.handler(self)
        return self._sock


def disable_ws_compression(
    sio: socketio.AsyncServer, websocket: type[UncompressedWebSocket] = UncompressedWebSocket
) -> None:
    """Use ``UncompressedWebSocket`` (or a subclass, e.g. ``server.edge.frames.StrictWebSocket``) for this
    server only.

    engineio keeps its driver table in a module-level dict shared by every server in the process, so
    this server gets its own copy rather than a change that would leak into other servers (tests).
    """
    eio = sio.eio
    if eio.async_mode != "aiohttp":
        raise ValueError(f"only the aiohttp transport is patched, not {eio.async_mode!r}")
    eio._async = {**eio._async, "websocket": websocket}
