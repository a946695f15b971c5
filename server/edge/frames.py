"""A malformed frame closes its connection, logged once, never as a traceback.

Without this, python-engineio and python-socketio log every undecodable frame with a ~2 KB
traceback (``message async handler error``, ``Unknown receive error``) and keep the socket open, so
one client without a token can write megabytes of log a second and slow everyone else down. A client
that speaks the protocol never sends such a frame, so there is nothing to answer: the connection is
closed, the way python-engineio's own client aborts on a packet it cannot decode.

Two layers can fail to decode a frame, and both are covered:

* Engine.IO (``StrictWebSocket.wait``): the frame must decode as an Engine.IO packet of a known type;
  otherwise the transport reports "closed", and engineio closes the socket itself.
* Socket.IO (``StrictAsyncServer._handle_eio_message``): the Engine.IO message must decode as a
  Socket.IO packet python-socketio accepts; otherwise the Engine.IO session is disconnected.

Frames that still arrive on a connection already being closed are dropped silently.

Long polling has no such hook: python-engineio reads and decodes a polling POST inside its own
request handler and logs a failure there (``post request handler error``) with a traceback, once per
request. ``QuietLibraryErrors`` turns those records into one line without a traceback, at most one
per distinct message every ``EVERY_S`` seconds (with the count of the ones it held back), and counts
each malformed POST in ``peerline_malformed_frames_total{layer="polling"}``.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from typing import Any

import socketio
from engineio import packet as eio_packet

from server.edge.ws_compression import UncompressedWebSocket, disable_ws_compression
from server.metrics import MALFORMED_FRAMES

log = logging.getLogger(__name__)

_KNOWN_TYPES = frozenset(range(len(eio_packet.packet_names)))


def _valid_engineio_frame(frame: Any) -> bool:
    try:
        decoded = eio_packet.Packet(encoded_packet=frame)
    except Exception:
        return False
    return decoded.packet_type in _KNOWN_TYPES


class StrictWebSocket(UncompressedWebSocket):
    """The WebSocket transport, which ends the connection at the first undecodable frame."""

    async def wait(self) -> Any:
        frame = await super().wait()
        if frame is None or _valid_engineio_frame(frame):
            return frame
        log.warning("websocket closed: malformed Engine.IO frame")
        MALFORMED_FRAMES.labels("engineio").inc()
        return None  # "the client closed": engineio ends the socket, and its writer closes the WebSocket


class StrictAsyncServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server, which disconnects a session whose Socket.IO packet does not decode."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rejected: set[str] = set()
        # browsers offer permessage-deflate; it triples memory per socket (server/edge/ws_compression.py)
        disable_ws_compression(self, StrictWebSocket)

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        try:
            await super()._handle_eio_message(eio_sid, data)
        except Exception as exc:
            await self._reject(eio_sid, exc)

    async def _reject(self, eio_sid: str, exc: Exception) -> None:
        if eio_sid in self._rejected or eio_sid not in self.eio.sockets:
            return  # already being closed, or gone: one log line per connection
        self._rejected.add(eio_sid)
        sock = self.eio.sockets[eio_sid]
        try:
            log.warning("socket closed: malformed Socket.IO packet (%s)", type(exc).__name__)
            MALFORMED_FRAMES.labels("socketio").inc()
            # as engineio's disconnect(), without waiting for a polling client to fetch the CLOSE packet
            await sock.close(wait=False, reason=self.eio.reason.SERVER_DISCONNECT)  # disconnect handlers run
            self.eio.sockets.pop(eio_sid, None)
            await sock.queue.put(None)  # after the CLOSE packet its writer ends and closes the WebSocket
        finally:
            self._rejected.discard(eio_sid)
            self._binary_packet.pop(eio_sid, None)


class QuietLibraryErrors(logging.Filter):
    """Errors of python-engineio / python-socketio as single, rate-limited lines (see the module doc)."""

    EVERY_S = 10.0

    def __init__(self) -> None:
        super().__init__()
        self._last: dict[str, float] = {}
        self._held: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        text = record.getMessage()
        if text == "post request handler error":
            MALFORMED_FRAMES.labels("polling").inc()
        if record.exc_info and record.exc_info[0] is not None:
            text = f"{text} ({record.exc_info[0].__name__})"
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        now = time.monotonic()
        last = self._last.get(text)
        if last is not None and now - last < self.EVERY_S:
            self._held[text] += 1
            return False
        held = self._held.pop(text, 0)
        record.msg, record.args = (f"{text} ({held} more held back)" if held else text), ()
        self._last[text] = now
        return True


def quiet_library_errors() -> None:
    """Installed once per process, on the loggers the libraries write to."""
    for name in ("engineio.server", "socketio.server"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, QuietLibraryErrors) for f in logger.filters):
            logger.addFilter(QuietLibraryErrors())
