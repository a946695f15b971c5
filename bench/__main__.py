"""``python -m bench [SCENARIO ...] [options]``: run scenarios, print the table, write bench/results/.

Scenarios: relay (throughput sweep at --pairs), steady (1,000 msg/s over 500 chats), queued (the same
with 1,000 seekers waiting), idle (10,000 idle sockets offering compression), cross (two processes).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from bench import backends, report, scenarios
from bench.processes import ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "scenarios", nargs="*", default=["relay"], choices=["relay", "steady", "queued", "idle", "cross"]
    )
    parser.add_argument("--pairs", type=int, default=100, help="live chats in relay/cross sweeps")
    parser.add_argument("--rates", default=",".join(map(str, scenarios.SWEEP)), help="offered msg/s steps")
    parser.add_argument("--step-seconds", type=float, default=4.0)
    parser.add_argument("--steady-pairs", type=int, default=500)
    parser.add_argument("--steady-rate", type=int, default=1000)
    parser.add_argument("--steady-seconds", type=float, default=20.0)
    parser.add_argument("--queued", type=int, default=1000)
    parser.add_argument("--crisis", type=float, default=0.02, help="fraction of seeker messages that are crisis")
    parser.add_argument("--sockets", type=int, default=10000)
    parser.add_argument(
        "--detector-model",
        default=None,
        help="DETECTOR_MODEL for the service: on, off, or on,off (both, same run); default on unless --variant",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="relay: run the service once more as LABEL:K=V,K=V (ROOT=/path for another tree); repeatable",
    )
    parser.add_argument("--warmup-seconds", type=float, default=scenarios.WARMUP_S, help="per step, not counted")
    parser.add_argument("--runs", type=int, default=scenarios.RUNS, help="measured runs per step (median shown)")
    parser.add_argument("--database-url", default=None, help="the benchmark's own database (truncated!)")
    parser.add_argument("--redis-url", default=None, help="the benchmark's own Redis db (FLUSHDB!)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / time.strftime("%Y%m%d-%H%M%S"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rates = [int(r) for r in args.rates.split(",")]
    backends.use(args.database_url, args.redis_url)
    scenarios.WARMUP_S, scenarios.RUNS = args.warmup_seconds, args.runs
    default_models = "" if args.variant else "on"
    models = [m.strip() for m in (args.detector_model or default_models).split(",") if m.strip()]
    variants = [scenarios.Variant(f"model_{m}" if len(models) > 1 else "", {"DETECTOR_MODEL": m}) for m in models]
    variants += [scenarios.Variant.parse(v) for v in args.variant]
    rows: list[dict[str, Any]] = []
    for name in args.scenarios:
        if name == "relay":
            rows.append(scenarios.relay(args.out, args.pairs, rates, args.step_seconds, args.crisis, variants))
        elif name == "steady":
            rows.append(
                scenarios.steady(
                    args.out, args.steady_pairs, args.steady_rate, args.steady_seconds, 0, args.crisis, variants
                )
            )
        elif name == "queued":
            rows.append(
                scenarios.steady(
                    args.out,
                    args.steady_pairs,
                    args.steady_rate,
                    args.steady_seconds,
                    args.queued,
                    args.crisis,
                    variants,
                )
            )
        elif name == "idle":
            rows.append(scenarios.idle(args.out, args.sockets, 5.0))
        elif name == "cross":
            rows.append(
                scenarios.cross(args.out, args.pairs, rates, args.step_seconds, variants[0] if variants else None)
            )
    command = "python -m bench " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    print(report.write(rows, args.out, command))
    print(f"\nresults in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
