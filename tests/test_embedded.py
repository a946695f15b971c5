"""The fresh-machine default: no URLs set, the server brings its own PostgreSQL and Redis."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.support import ROOT, ServerProcess, free_port, post_json, run_cli


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
        # the operator sees their one result, not the embedded database's start-up chatter
        assert (
            added.stdout.startswith("created supervisor robin (") and "shown to others as 'Supervisor " in added.stdout
        )
        assert "pgserver" not in added.stderr and "commandline" not in added.stderr, added.stderr
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


def test_readme_command_starts_from_a_fresh_clone_with_no_data_folder_set(tmp_path: Path) -> None:
    """`.venv/bin/python -m server` from a clone's own folder, nothing set: the data folder is the
    relative default `.peerline`, which redis-server once resolved after changing into its --dir."""
    clone = tmp_path / "clone"
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    )
    for name in filter(None, tracked):
        source = ROOT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    (clone / ".venv").symlink_to(sys.prefix)  # the virtual environment bootstrap made
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in _SERVICE_VARIABLES}
    env["PORT"] = str(port)
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen([".venv/bin/python", "-m", "server"], cwd=clone, env=env, stdout=log, stderr=log)
    try:
        status = _wait_ready(proc, f"http://127.0.0.1:{port}", timeout=120)
        assert status == 200, (tmp_path / "server.log").read_text(errors="replace")[-3000:]
        assert (clone / ".peerline" / "redis" / "redis.log").is_file()
        assert (clone / ".peerline" / "postgres").is_dir()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(90)  # drains, then stops the embedded PostgreSQL: slow on a busy machine (30 s once was not)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    assert proc.returncode == 0, (tmp_path / "server.log").read_text(errors="replace")[-3000:]
    assert not (clone / ".peerline" / "postgres" / "postmaster.pid").exists()


_SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "JWT_SECRET", "PEERLINE_DATA_DIR")


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, *, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{base_url}/readyz", timeout=2) as resp:
            if resp.status == 200:
                return 200
        time.sleep(0.2)
    return None
