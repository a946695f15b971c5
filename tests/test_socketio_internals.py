"""The private python-socketio / python-engineio names our code relies on still exist.

``pyproject.toml`` pins both libraries to one minor range because ``server/runtime/socket_manager.py``,
``server/edge/frames.py``, ``server/edge/ws_compression.py`` and ``server/app.py`` override or call names the
libraries do not document. Before widening the pin, run this test against the new versions: a
renamed hook would otherwise leave our override silently uncalled.
"""

from __future__ import annotations

import inspect

import engineio
import pytest
import socketio
from engineio import packet as eio_packet
from engineio.async_drivers import aiohttp as eio_aiohttp
from socketio import async_server, packet

KINDS = {
    "coroutine": inspect.iscoroutinefunction,
    "async generator": inspect.isasyncgenfunction,
    "function": inspect.isfunction,
}
# (owner, name, kind, number of parameters after self) for every private method we override or call
PRIVATE_METHODS = [
    (socketio.AsyncRedisManager, "_publish", "coroutine", 1),
    (socketio.AsyncRedisManager, "_handle_emit", "coroutine", 1),
    (socketio.AsyncRedisManager, "_listen", "async generator", 0),
    (socketio.AsyncRedisManager, "_redis_listen_with_retries", "async generator", 0),
    (socketio.AsyncRedisManager, "_redis_connect", "function", 0),
    (socketio.AsyncServer, "_handle_eio_message", "coroutine", 2),
    (socketio.AsyncServer, "_send_eio_packet", "coroutine", 2),
]


@pytest.mark.parametrize(("owner", "name", "kind", "arity"), PRIVATE_METHODS, ids=lambda v: getattr(v, "__name__", v))
def test_private_methods_exist_with_the_shape_we_use(owner: type, name: str, kind: str, arity: int) -> None:
    method = getattr(owner, name)
    assert KINDS[kind](method), f"{owner.__name__}.{name} is no longer a {kind}"
    assert len(list(inspect.signature(method).parameters)[1:]) == arity


def test_public_hooks_the_manager_overrides_exist() -> None:
    for name in ("initialize", "enter_room", "emit"):
        assert callable(getattr(socketio.AsyncRedisManager, name))


def test_manager_instance_attributes() -> None:
    manager = socketio.AsyncRedisManager("redis://127.0.0.1:1/0")
    for name in ("channel", "host_id", "rooms", "json"):
        assert hasattr(manager, name), name
    manager._redis_connect()  # builds the client and pub/sub objects without connecting
    assert hasattr(manager, "pubsub")


def test_server_and_engineio_internals() -> None:
    sio = socketio.AsyncServer(async_mode="aiohttp")
    assert isinstance(sio._binary_packet, dict)  # frames.py forgets a rejected socket's partial packet
    assert sio.packet_class is packet.Packet and callable(packet.Packet.data_is_binary)
    eio = sio.eio
    assert isinstance(eio, engineio.AsyncServer) and eio.async_mode == "aiohttp"
    assert eio._async["websocket"] is eio_aiohttp.WebSocket  # the driver table ws_compression.py copies
    assert isinstance(eio.sockets, dict) and isinstance(eio.max_http_buffer_size, int)
    assert eio.reason.SERVER_DISCONNECT
    assert isinstance(async_server.task_reference_holder, set)  # app.py waits for handler tasks on drain
    assert eio_packet.packet_names and eio_packet.MESSAGE in range(len(eio_packet.packet_names))
    assert "encoded_packet" in inspect.signature(eio_packet.Packet).parameters


def test_engineio_socket_close_and_queue() -> None:
    from engineio.async_socket import AsyncSocket

    assert {"wait", "reason"} <= set(inspect.signature(AsyncSocket.close).parameters)
    assert "queue" in inspect.getsource(AsyncSocket.__init__) or hasattr(AsyncSocket, "queue")


def test_aiohttp_websocket_wrapper_attributes() -> None:
    source = inspect.getsource(eio_aiohttp.WebSocket)
    for name in ("self._sock", "self.server", "self.handler", "self.environ"):
        assert name in source, name  # UncompressedWebSocket.__call__ sets the same fields
