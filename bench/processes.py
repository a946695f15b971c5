"""Starting and stopping what a benchmark measures: the service, the bare relay, the load generator.

Every process is started here and stopped here (also on errors), pinned with ``taskset``: servers on
core 0, the generator on core 1, so the generator never competes with what it measures.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The tree the service runs from: this checkout, or a snapshot (PEERLINE_BENCH_SERVER_ROOT) so a
# benchmark can compare two versions, or run while the checkout is mid-edit.
SERVER_ROOT = Path(os.environ.get("PEERLINE_BENCH_SERVER_ROOT", ROOT))
LOADGEN = ROOT / "bench" / "loadgen" / "loadgen.js"
SERVER_CORE = "0"
LOADGEN_CORE = "1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Server:
    """One pinned server process (the service or the bare relay) on a free loopback port."""

    argv: list[str]
    env: dict[str, str]
    log_path: Path
    cwd: Path = ROOT
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str = "/healthz", timeout: float = 90.0) -> Server:
        log = self.log_path.open("wb")
        argv = ["taskset", "-c", SERVER_CORE, *self.argv, "--port", str(self.port)]
        self.proc = subprocess.Popen(
            argv, cwd=self.cwd, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + ready_path, timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server not ready: see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


@contextmanager
def running(*servers: Server) -> Iterator[tuple[Server, ...]]:
    try:
        for s in servers:
            s.start("/readyz" if "server" in s.argv else "/socket.io/?EIO=4&transport=polling")
        yield servers
    finally:
        for s in servers:
            s.stop()


def baseline_server(results: Path, name: str, manager: str = "local", redis_url: str | None = None) -> Server:
    argv = [sys.executable, "-m", "bench.baseline", "--manager", manager]
    if redis_url:
        argv += ["--redis-url", redis_url]
    return Server(argv, {}, results / f"{name}.log")


def service_server(results: Path, name: str, env: dict[str, str], root: Path | None = None) -> Server:
    argv = [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1"]
    return Server(argv, env, results / f"{name}.log", cwd=root or SERVER_ROOT)


class RssSampler:
    """Largest RSS of some processes while a load runs (idle-memory figures)."""

    def __init__(self, pids: list[int], every_s: float = 0.25) -> None:
        self.pids = pids
        self.every_s = every_s
        self.before = {pid: rss_kb(pid) for pid in pids}
        self.peak = dict(self.before)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            for pid in self.pids:
                try:
                    self.peak[pid] = max(self.peak[pid], rss_kb(pid))
                except OSError:
                    pass

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join()


def run_loadgen(config: dict[str, Any], results: Path, name: str, timeout_s: float = 90.0) -> dict[str, Any]:
    """Run the Node generator on its core; its progress goes to our stderr, its result is returned."""
    cfg_path = results / f"{name}.config.json"
    cfg_path.write_text(json.dumps({"maxSeconds": timeout_s - 5, **config}, indent=1))
    print(f"--- {name}", file=sys.stderr, flush=True)
    proc = subprocess.run(
        ["taskset", "-c", LOADGEN_CORE, "node", str(LOADGEN), str(cfg_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=None,
        timeout=timeout_s,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed ({proc.returncode}) in {name}")
    result: dict[str, Any] = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    (results / f"{name}.json").write_text(json.dumps(result, indent=1))
    return result


@contextmanager
def profiling(pid: int, out: Path) -> Iterator[None]:
    """With ``PEERLINE_BENCH_PROFILE=DELAY,SECONDS``: py-spy records the service (raw collapsed stacks,
    for ``python -m bench.profile_summary``) from DELAY s after the generator starts, for SECONDS s."""
    spec = os.environ.get("PEERLINE_BENCH_PROFILE")
    if not spec:
        yield
        return
    delay, seconds = (float(x) for x in spec.split(","))
    py_spy = Path(sys.executable).parent / "py-spy"
    cmd = f"sleep {delay}; exec {py_spy} record --pid {pid} --duration {seconds:g} --rate 200 --format raw"
    proc = subprocess.Popen(
        ["sh", "-c", f"{cmd} --nonblocking -o {out}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield
    finally:
        try:
            proc.wait(timeout=delay + seconds + 10)
        except subprocess.TimeoutExpired:
            proc.kill()
