"""The bare relay every report is measured against: python-socketio on aiohttp with uvloop, nothing else.

Each socket connects with ``auth {"pair", "side"}`` and joins the room ``<pair>:<side>``; a ``message``
event is emitted to the other side's room and acked. Rooms (not sids) so the same relay runs across
processes with a Redis manager — the shape of Peerline's identity rooms, without any of its work.

``python -m bench.baseline --port P [--manager local|redis|peerline] [--redis-url URL]``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
from typing import Any

import orjson
import socketio
from aiohttp import web


class OrjsonForSocketIO:
    """The same JSON hook the service uses, so the baseline is not handicapped by stdlib json."""

    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(raw: str | bytes, **_: Any) -> Any:
        return orjson.loads(raw)


def build(manager: str, redis_url: str | None) -> tuple[web.Application, socketio.AsyncServer]:
    client_manager: socketio.AsyncManager | None = None
    if manager == "redis":
        client_manager = socketio.AsyncRedisManager(redis_url, redis_options={"max_connections": 1000})
    elif manager == "peerline":
        from server.runtime.socket_manager import LocalFirstRedisManager

        assert redis_url
        client_manager = LocalFirstRedisManager(redis_url)
    sio = socketio.AsyncServer(
        async_mode="aiohttp", client_manager=client_manager, json=OrjsonForSocketIO, logger=False, engineio_logger=False
    )
    app = web.Application()
    sio.attach(app)
    rooms: dict[str, str] = {}

    @sio.event
    async def connect(sid: str, environ: Any, auth: Any) -> bool:
        if not isinstance(auth, dict) or "pair" not in auth:
            return False
        room = f"{auth['pair']}:{auth.get('side', 'a')}"
        rooms[sid] = room
        await sio.enter_room(sid, room)
        return True

    @sio.event
    async def disconnect(sid: str, *_: Any) -> None:
        rooms.pop(sid, None)

    @sio.event
    async def message(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        other = "b" if data.get("side") == "a" else "a"
        await sio.emit("message", data, room=f"{data['pair']}:{other}", skip_sid=sid)
        return {"ok": True}

    return app, sio


async def serve(port: int, manager: str, redis_url: str | None) -> None:
    app, _ = build(manager, redis_url)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, reuse_address=True).start()
    gc.collect()
    gc.freeze()  # the same start-up treatment the service gets
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


class _WithRedisError(logging.Formatter):
    """python-socketio puts the Redis exception in ``extra``, which default formatting drops."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{super().format(record)} {getattr(record, 'redis_exception', '')}".rstrip()


def _log_manager_errors() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(_WithRedisError("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger("socketio").addHandler(handler)
    logging.getLogger("server").addHandler(handler)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--manager", choices=["local", "redis", "peerline"], default="local")
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()
    _log_manager_errors()
    import uvloop

    uvloop.run(serve(args.port, args.manager, args.redis_url))


if __name__ == "__main__":
    main()
