"""Malformed frames without a token: the connection is closed, the log stays small, others are served.

Before the fix a single undecodable frame (the byte 0x95) was logged with a ~2 KB traceback and the
socket stayed open, so a script could write megabytes of log a second and slow every other chat.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp

from tests.conftest import Backends
from tests.security.fuzzing import assert_serving
from tests.security.test_floods import paired
from tests.support import ServerProcess, create_user, metric_value, metrics_text

# Each kind of frame a client that speaks the protocol never sends, at both layers.
MALFORMED: tuple[bytes | str, ...] = (
    b"\x95",  # binary: an Engine.IO message that is no Socket.IO packet
    b"\x00\xff\x95",
    "x",  # no Engine.IO packet type
    "",  # empty
    "7",  # an Engine.IO packet type that does not exist
    "49",  # a Socket.IO packet type that does not exist
    "4x",
    "46",  # CONNECT_ERROR from a client
    "45-x",  # a binary event announcing attachments, with nothing decodable
    "451-[]",
)
FRAMES_PER_CONNECTION = 3000
LOG_BOUND_BYTES = 64 * 1024  # generous: one short line per connection is ~150 bytes


async def _flood(base: str, frame: bytes | str) -> tuple[int, bool]:
    """Sends ``frame`` as fast as the connection takes it; returns (frames sent, closed by the server)."""
    url = f"{base}/socket.io/?EIO=4&transport=websocket"
    sent = 0
    async with aiohttp.ClientSession() as http, http.ws_connect(url) as ws:
        opening = await ws.receive_str()
        assert opening.startswith("0{")
        try:
            for _ in range(FRAMES_PER_CONNECTION):
                if ws.closed:
                    break
                if isinstance(frame, bytes):
                    await ws.send_bytes(frame)
                else:
                    await ws.send_str(frame)
                sent += 1
        except (ConnectionResetError, aiohttp.ClientConnectionError):
            pass
        # a close within 15 s, or the connection is still open (engineio's pings are text frames)
        deadline = time.monotonic() + 15
        while not ws.closed and time.monotonic() < deadline:
            try:
                msg = await asyncio.wait_for(ws.receive(), max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                return sent, False
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                return sent, True
        return sent, ws.closed


async def test_malformed_frames_close_the_connection_and_do_not_flood_the_log(backends: Backends) -> None:
    server = ServerProcess(backends.server_env()).start()
    base = server.base_url
    try:
        await create_user(backends.database_url, "mal-a")
        seeker, listener, cid = await paired(base, "mal-a")
        assert server.log_path is not None
        log_before = server.log_path.stat().st_size

        async def conversation() -> None:
            for i in range(60):
                ack = await seeker.call("message", {"conversation_id": cid, "client_id": f"calm-{i}", "text": "ok"})
                assert ack["ok"] is True, ack
                await asyncio.sleep(0.02)

        talking = asyncio.create_task(conversation())
        frames = [frame for frame in MALFORMED for _ in range(2)]
        results = await asyncio.gather(*(_flood(base, frame) for frame in frames))
        await talking
        for _ in range(100):  # the other pair's messages all arrive, once each, in order
            if len(listener.events["message"]) >= 60:
                break
            await asyncio.sleep(0.1)
        received = [m["client_id"] for m in listener.events["message"]]
        assert received == [f"calm-{i}" for i in range(60)], received[-5:]
        await asyncio.sleep(1)  # let anything still queued be written
        counted = metric_value(await metrics_text(server), "peerline_malformed_frames_total")
        written = server.log_path.stat().st_size - log_before
        log_text = server.log_path.read_bytes()[log_before:].decode(errors="replace")
        await seeker.close()
        await listener.close()
        await assert_serving(server)
    finally:
        server.stop()
    assert all(closed for _, closed in results), list(zip(frames, results, strict=True))
    assert "Traceback" not in log_text, log_text[:3000]
    assert "handler error" not in log_text and "receive error" not in log_text
    assert written < LOG_BOUND_BYTES, (written, log_text[:3000])
    malformed_lines = [line for line in log_text.splitlines() if "malformed" in line]
    assert 1 <= len(malformed_lines) <= len(results), malformed_lines  # at most one per connection
    assert counted == len(malformed_lines)


async def test_malformed_long_polling_posts_are_one_line_without_a_traceback(backends: Backends) -> None:
    """python-engineio decodes a polling POST inside its own handler and logged each failure with a
    traceback; now each distinct failure is one line, held back when it repeats."""
    server = ServerProcess(backends.server_env()).start()
    base = server.base_url
    try:
        assert server.log_path is not None
        log_before = server.log_path.stat().st_size
        posts = 0
        async with aiohttp.ClientSession() as http:
            for body in (b"\x95", b"\x00\xff\x95"):
                async with http.get(f"{base}/socket.io/?EIO=4&transport=polling") as resp:
                    sid = (await resp.text()).split('"sid":"')[1].split('"')[0]
                for _ in range(100):
                    async with http.post(f"{base}/socket.io/?EIO=4&transport=polling&sid={sid}", data=body) as resp:
                        await resp.read()
                    posts += 1
        await asyncio.sleep(1)
        counted = metric_value(await metrics_text(server), "peerline_malformed_frames_total", layer="polling")
        log_text = server.log_path.read_bytes()[log_before:].decode(errors="replace")
        await assert_serving(server)
    finally:
        server.stop()
    assert "Traceback" not in log_text, log_text[:3000]
    errors = [line for line in log_text.splitlines() if "post request handler error" in line]
    assert 1 <= len(errors) <= 4, errors  # one line per distinct failure per 10 s (twice: the library's own handler)
    assert counted == posts
