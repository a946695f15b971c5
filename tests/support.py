"""Test helpers: real HTTP calls, real Socket.IO clients, real database rows. No mocks."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from server.auth import hash_password
from server.embedded import start_redis
from server.store import users
from server.store.pool import connect

ROOT = Path(__file__).resolve().parent.parent
TEST_SECRET = "test-secret-" + "x" * 40
METRICS_TOKEN = "metrics-token-" + "m" * 24


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_HASHES: dict[str, str] = {}


async def create_user(
    database_url: str,
    username: str,
    password: str = "correct horse battery",
    role: str = "listener",
    topics: Iterable[str] = ("talk",),
    languages: Iterable[str] = ("en",),
    display_name: str | None = None,
    max_chats: int = 3,
) -> str:
    """Creates a staff account; returns its id. Hashes are cached per password (argon2 is slow)."""
    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    conn = await connect(database_url)
    try:
        user = await users.create(
            conn,
            username=username,
            display_name=display_name or username.title(),
            password_hash=_HASHES[password],
            role=role,
            topics=list(topics),
            languages=list(languages),
            max_chats=max_chats,
        )
    finally:
        await conn.close()
    return user.id


@dataclass
class ServerProcess:
    """A real ``python -m server`` on a free port."""

    env: dict[str, str]
    port: int = field(default_factory=free_port)
    bare: bool = False  # run plain `python -m server` (port from $PORT), as the README does
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> ServerProcess:  # the detector loads slowly on a busy machine
        env = {**os.environ, **self.env, "PORT": str(self.port)}
        self.log_path = Path(os.environ.get("PEERLINE_TEST_LOGS", "/tmp")) / f"peerline-server-{self.port}.log"
        log_file = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "server"]
            if self.bare
            else [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    pass
                import urllib.request

                with urllib.request.urlopen(f"{self.base_url}/readyz", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not become ready: {self.log_tail()}")

    def log_tail(self, n: int = 4000) -> str:
        if self.log_path and self.log_path.exists():
            return self.log_path.read_bytes()[-n:].decode(errors="replace")
        return ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


async def post_json(base_url: str, path: str, body: Any = None, *, raw: bytes | None = None) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http:
        data = raw if raw is not None else None
        kwargs: dict[str, Any] = (
            {"data": data, "headers": {"Content-Type": "application/json"}}
            if raw is not None
            else {"json": body if body is not None else {}}
        )
        async with http.post(base_url + path, **kwargs) as resp:
            return resp.status, await resp.json(content_type=None)


async def get_json(base_url: str, path: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(base_url + path) as resp:
        return resp.status, await resp.json(content_type=None)


async def metrics_text(server: ServerProcess) -> str:
    """``GET /metrics`` as the monitoring system scrapes it, with the server's ``METRICS_TOKEN`` if set."""
    token = server.env.get("METRICS_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as http, http.get(server.base_url + "/metrics", headers=headers) as resp:
        assert resp.status == 200, resp.status
        return await resp.text()


def metric_value(text: str, name: str, **labels: str) -> float:
    """The sum of a metric's samples whose labels include ``labels`` (0 when there is none)."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, _, value = line.rpartition(" ")
        metric, _, label_text = series.partition("{")
        if metric != name or any(f'{k}="{v}"' not in label_text for k, v in labels.items()):
            continue
        total += float(value)
    return total


async def seeker_token(base_url: str, language: str = "en") -> str:
    status, body = await post_json(base_url, "/api/seekers", {"language": language})
    assert status == 201, body
    return body["token"]


async def login(base_url: str, username: str, password: str = "correct horse battery") -> str:
    status, body = await post_json(base_url, "/api/login", {"username": username, "password": password})
    assert status == 200, body
    return body["token"]


class Client:
    """A real Socket.IO client on one namespace that records every event it receives."""

    def __init__(self, base_url: str, namespace: str, token: str | None) -> None:
        self.base_url = base_url
        self.namespace = namespace
        self.token = token
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, list[Any]] = defaultdict(list)
        self._changed = asyncio.Event()

        @self.sio.on("*", namespace=namespace)
        async def _any(event: str, data: Any = None) -> None:
            self.events[event].append(data)
            self._changed.set()

    async def connect(self) -> Client:
        await self.sio.connect(
            self.base_url,
            namespaces=[self.namespace],
            auth={"token": self.token} if self.token is not None else None,
            transports=["websocket"],
            wait_timeout=10,
        )
        return self

    async def call(self, event: str, data: Any = None, timeout: float = 10.0) -> dict[str, Any]:
        return await self.sio.call(event, data, namespace=self.namespace, timeout=timeout)

    async def ok(self, event: str, data: Any = None) -> dict[str, Any]:
        ack = await self.call(event, data)
        assert ack.get("ok") is True, (event, ack)
        return ack

    async def wait_for(
        self, event: str, predicate: Callable[[Any], bool] = lambda _: True, timeout: float = 10.0
    ) -> Any:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for item in self.events[event][seen:]:
                if predicate(item):
                    return item
            seen = len(self.events[event])
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {event!r} matching within {timeout}s; got {self.events[event][-5:]}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
        http = getattr(self.sio.eio, "http", None)  # left open by a connect that failed
        if http is not None and not http.closed:
            await http.close()


async def connect_error(base_url: str, namespace: str, token: Any) -> str:
    """Connects expecting refusal; returns the ``connect_error`` data's message."""
    client = socketio.AsyncClient(reconnection=False)
    errors: list[Any] = []

    @client.on("connect_error", namespace=namespace)
    async def _refused(data: Any = None) -> None:
        errors.append(data)

    try:
        await client.connect(
            base_url,
            namespaces=[namespace],
            auth={"token": token} if token is not None else None,
            transports=["websocket"],
            wait_timeout=10,
        )
    except socketio.exceptions.ConnectionError:
        pass
    finally:
        if client.connected:
            await client.disconnect()
    assert errors, "connection was accepted"
    data = errors[0]
    return data.get("message") if isinstance(data, dict) else str(data)


def run_cli(
    env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """``python -m server ARGS`` as an operator runs it, with exactly this environment."""
    return _run_module("server", args, {"PATH": "/usr/bin:/bin", **env}, stdin, timeout)


def run_escalation(*args: str, stdin: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m escalation ARGS`` as an operator runs it, from the project root."""
    return _run_module("escalation", args, None, stdin, timeout)


def _run_module(
    module: str, args: tuple[str, ...], env: dict[str, str] | None, stdin: str | None, timeout: float
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class PrivateRedis:
    """A redis-server of the test's own, so it can be stopped, emptied and restarted."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="peerline-redis-"))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *, fresh: bool = False) -> None:
        if fresh:
            self.dir = Path(tempfile.mkdtemp(prefix="peerline-redis-"))
        _, self.proc = start_redis(self.dir, self.port)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None
