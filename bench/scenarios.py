"""The benchmark scenarios. Each runs the bare relay and the service under the same generator, in the
same run, so every figure for the service comes with the baseline it is compared to.

Each scenario is bounded (a generator run is at most ~60 s) and stops every process it started.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import backends
from bench.processes import RssSampler, baseline_server, profiling, run_loadgen, running, service_server

SWEEP = [100, 250, 500, 750, 1000, 1500, 2000, 2500, 3000, 4000]
# Every step: a warm-up at its rate that no figure includes, then RUNS measured runs back to back;
# the step's figure is their median, with the smallest and largest shown.
WARMUP_S = 1.0
RUNS = 3


@dataclass(frozen=True)
class Variant:
    """One configuration of the service in a run: a label, extra environment, optionally another tree."""

    label: str
    env: dict[str, str] = field(default_factory=dict)
    root: Path | None = None

    @classmethod
    def parse(cls, text: str) -> Variant:
        """``LABEL:K=V,K=V`` (``ROOT=/path`` runs that tree), e.g. ``gc-default:GC_THRESHOLDS=700,10,10``.
        Commas separate pairs unless the value continues the previous one (``GC_THRESHOLDS=700,10,10``)."""
        label, _, rest = text.partition(":")
        env: dict[str, str] = {}
        last = None
        for part in filter(None, rest.split(",")):
            if "=" in part:
                last, _, value = part.partition("=")
                env[last] = value
            elif last is not None:
                env[last] += "," + part
        root = env.pop("ROOT", None)
        return cls(label, env, Path(root) if root else None)


def max_sustained(result: dict[str, Any], p99_ms: float = 100.0) -> int:
    """Highest offered rate delivered in full (≥ 95 %) with relay p99 under the bound."""
    best = 0
    for step in result.get("steps", []):
        if step["achieved"] >= 0.95 * step["offered"] and step["relay_ms"].get("p99", 1e9) < p99_ms:
            best = max(best, step["offered"])
    return best


def at_rate(result: dict[str, Any], rate: int) -> dict[str, Any] | None:
    return next((s for s in result.get("steps", []) if s["offered"] == rate), None)


def _staff_for(pairs: int) -> tuple[int, int]:
    """Listeners × max_chats = pairs exactly, so queued seekers really wait."""
    max_chats = 20 if pairs >= 20 else pairs
    return (pairs + max_chats - 1) // max_chats, max_chats


def _service_config(staff: backends.Staff, seeker_url: str, staff_url: str, pairs: int, **extra: Any) -> dict[str, Any]:
    return {
        "mode": "service",
        "seekerUrl": seeker_url,
        "staffUrl": staff_url,
        "pairs": pairs,
        "listeners": staff.listeners,
        "supervisor": staff.supervisor,
        "payloadBytes": 100,
        "pairRate": 100,
        "connectConcurrency": 100,
        "metricsUrl": staff_url + "/metrics",
        "metricsToken": backends.LOAD_ENV["METRICS_TOKEN"],
        **extra,
    }


def _timing(step_s: float) -> dict[str, Any]:
    return {"stepSeconds": step_s, "warmupSeconds": WARMUP_S, "runsPerStep": RUNS}


def _timeout(rates: list[int], step_s: float) -> float:
    """The generator's hard bound: every step in full, plus connecting and pairing."""
    return 60.0 + len(rates) * (WARMUP_S + RUNS * step_s + 3.0)


def relay(
    results: Path, pairs: int, rates: list[int], step_s: float, crisis: float, variants: list[Variant]
) -> dict[str, Any]:
    """Throughput sweep: bare relay, then the service once per variant, same pairs and rates."""
    bare_cfg = {"mode": "bare", "pairs": pairs, "rates": rates, "drainSeconds": 2, **_timing(step_s)}
    out: dict[str, Any] = {"scenario": f"relay{pairs}", "pairs": pairs}
    with running(baseline_server(results, f"relay{pairs}-baseline")) as (bare,):
        out["baseline"] = run_loadgen(
            {**bare_cfg, "urls": [bare.url], "cpuPids": [bare.pid]},
            results,
            f"relay{pairs}-baseline",
            _timeout(rates, step_s),
        )
    n, m = _staff_for(pairs)
    for variant in variants:
        name = "service" if len(variants) == 1 and not variant.label else f"service_{variant.label}"
        staff = backends.reset_and_seed(n, m)
        env = {**backends.service_env(), **variant.env}
        with (
            running(service_server(results, f"relay{pairs}-{name}", env, variant.root)) as (svc,),
            profiling(svc.pid, results / f"relay{pairs}-{name}.profile.txt"),
        ):
            out[name] = run_loadgen(
                _service_config(
                    staff,
                    svc.url,
                    svc.url,
                    pairs,
                    rates=rates,
                    drainSeconds=2,
                    crisisFraction=crisis,
                    cpuPids=[svc.pid],
                    **_timing(step_s),
                ),
                results,
                f"relay{pairs}-{name}",
                _timeout(rates, step_s),
            )
    return out


def steady(
    results: Path, pairs: int, rate: int, seconds: float, queued: int, crisis: float, variants: list[Variant]
) -> dict[str, Any]:
    """A fixed rate over many live chats (optionally with seekers waiting in the queue), once per variant."""
    name = f"steady{pairs}" + (f"-queued{queued}" if queued else "")
    bare_cfg = {"mode": "bare", "pairs": pairs, "rates": [rate], "drainSeconds": 2, **_timing(seconds)}
    out: dict[str, Any] = {"scenario": name, "pairs": pairs, "rate": rate, "queued": queued}
    with running(baseline_server(results, f"{name}-baseline")) as (bare,):
        out["baseline"] = run_loadgen(
            {**bare_cfg, "urls": [bare.url], "cpuPids": [bare.pid]},
            results,
            f"{name}-baseline",
            _timeout([rate], seconds),
        )
    n, m = _staff_for(pairs)
    for variant in variants or [Variant("")]:
        label = "service" if not variant.label else f"service_{variant.label}"
        staff = backends.reset_and_seed(n, m)
        env = {**backends.service_env(), **variant.env}
        with running(service_server(results, f"{name}-{label}", env, variant.root)) as (svc,):
            out[label] = run_loadgen(
                _service_config(
                    staff,
                    svc.url,
                    svc.url,
                    pairs,
                    rates=[rate],
                    drainSeconds=3,
                    crisisFraction=crisis,
                    queued=queued,
                    pairRate=50,
                    cpuPids=[svc.pid],
                    **_timing(seconds),
                ),
                results,
                f"{name}-{label}",
                _timeout([rate], seconds) + 30,
            )
    return out


def idle(results: Path, sockets: int, hold_s: float) -> dict[str, Any]:
    """Memory per idle socket and connect rate, clients offering compression as browsers do."""
    cfg = {"mode": "idle", "sockets": sockets, "deflate": True, "holdSeconds": hold_s, "connectConcurrency": 100}
    out: dict[str, Any] = {"scenario": f"idle{sockets}", "sockets": sockets}
    with running(baseline_server(results, "idle-baseline")) as (bare,):
        with RssSampler([bare.pid]) as rss:
            out["baseline"] = run_loadgen({**cfg, "seekerUrl": bare.url}, results, "idle-baseline")
        out["baseline"]["rss_kb"] = {"before": rss.before[bare.pid], "peak": rss.peak[bare.pid]}
    backends.reset_and_seed(1, 1)
    with running(service_server(results, "idle-service", backends.service_env())) as (svc,):
        with RssSampler([svc.pid]) as rss:
            out["service"] = run_loadgen({**cfg, "seekerUrl": svc.url, "service": True}, results, "idle-service")
        out["service"]["rss_kb"] = {"before": rss.before[svc.pid], "peak": rss.peak[svc.pid]}
    return out


def cross(results: Path, pairs: int, rates: list[int], step_s: float, variant: Variant | None = None) -> dict[str, Any]:
    """Two processes on one core, one Redis and one PostgreSQL; every pair split across them.

    Both processes share core 0, so their total is the per-core figure to compare with one process.
    The bare relay runs the same way with python-socketio's AsyncRedisManager and with ours.
    """
    out: dict[str, Any] = {"scenario": f"cross{pairs}", "pairs": pairs}
    bare_cfg = {"mode": "bare", "pairs": pairs, "rates": rates, "drainSeconds": 2, **_timing(step_s)}
    for manager in ("redis", "peerline"):
        backends.reset_and_seed(0, 1)
        a = baseline_server(results, f"cross-baseline-{manager}-a", manager, backends.REDIS_URL)
        b = baseline_server(results, f"cross-baseline-{manager}-b", manager, backends.REDIS_URL)
        with running(a, b):
            out[f"baseline_{manager}"] = run_loadgen(
                {**bare_cfg, "urls": [a.url, b.url]},
                results,
                f"cross{pairs}-baseline-{manager}",
                _timeout(rates, step_s),
            )
    n, m = _staff_for(pairs)
    staff = backends.reset_and_seed(n, m)
    env = {**backends.service_env(), **(variant.env if variant else {})}
    root = variant.root if variant else None
    with running(
        service_server(results, "cross-service-a", env, root), service_server(results, "cross-service-b", env, root)
    ) as (
        a,
        b,
    ):
        out["service"] = run_loadgen(
            _service_config(
                staff,
                a.url,
                b.url,
                pairs,
                rates=rates,
                drainSeconds=2,
                crisisFraction=0.02,
                cpuPids=[a.pid, b.pid],
                **_timing(step_s),
            ),
            results,
            f"cross{pairs}-service",
            _timeout(rates, step_s),
        )
    return out
