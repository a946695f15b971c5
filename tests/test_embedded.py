"""The fresh-machine default: no URLs set, the server brings its own PostgreSQL and Redis."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support import ServerProcess, post_json, run_cli


def embedded_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "JWT_SECRET")}
    env["PEERLINE_DATA_DIR"] = str(data_dir)
    return env


class EmbeddedServer(ServerProcess):
    def start(self, timeout: float = 60.0) -> ServerProcess:
        saved = {k: os.environ.pop(k) for k in ("DATABASE_URL", "REDIS_URL", "JWT_SECRET") if k in os.environ}
        try:
            return super().start(timeout)
        finally:
            os.environ.update(saved)


async def test_embedded_default_survives_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {"PEERLINE_DATA_DIR": str(data_dir)}
    server = EmbeddedServer(env).start()
    try:
        assert (data_dir / "jwt_secret").stat().st_mode & 0o077 == 0  # the generated secret is private
        added = run_cli(
            embedded_env(data_dir),
            "user",
            "add",
            "robin",
            "--role",
            "supervisor",
            "--password-stdin",
            stdin="a long enough password\n",
        )
        assert added.returncode == 0, added.stderr
        status, body = await post_json(
            server.base_url, "/api/login", {"username": "robin", "password": "a long enough password"}
        )
        assert status == 200 and body["role"] == "supervisor"
    finally:
        assert server.stop() == 0, server.log_tail()
    # both embedded services stopped with the server
    assert not (data_dir / "postgres" / "postmaster.pid").exists()

    server = EmbeddedServer(env, bare=True).start()  # `python -m server`, exactly as the README runs it
    try:
        status, body = await post_json(
            server.base_url, "/api/login", {"username": "robin", "password": "a long enough password"}
        )
        assert status == 200, body
    finally:
        assert server.stop() == 0, server.log_tail()


def test_refuses_to_start_without_a_secret_when_urls_are_set(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JWT_SECRET"}
    env.update(DATABASE_URL="postgresql://127.0.0.1:1/none", REDIS_URL="redis://127.0.0.1:1/0")
    done = run_cli(env, "serve", timeout=30)
    assert done.returncode == 2
    assert "JWT_SECRET" in done.stderr
    env["JWT_SECRET"] = "too short"
    done = run_cli(env, "serve", timeout=30)
    assert done.returncode == 2 and "at least 32 bytes" in done.stderr
