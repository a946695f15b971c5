"""Reports: the raw JSON, a Markdown table with the service as a ratio of the baseline, and plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.scenarios import at_rate, max_sustained


def _p(summary: dict[str, Any] | None, key: str = "p99") -> str:
    if not summary or not summary.get("n"):
        return "—"
    return f"{summary[key]:.1f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "—"


def _integrity(r: dict[str, Any]) -> str:
    return f"lost {r.get('lost', '?')}, dup {r.get('duplicated', '?')}, failed {r.get('failed', '?')}"


def _spread(step: dict[str, Any], key: str) -> str:
    lo_hi = (step.get("spread") or {}).get(key)
    return f" ({lo_hi[0]:,.1f}–{lo_hi[1]:,.1f})" if lo_hi else ""


def _spread2(step: dict[str, Any], key: str) -> str:
    lo_hi = (step.get("spread") or {}).get(key)
    return f" ({lo_hi[0]:.2f}–{lo_hi[1]:.2f})" if lo_hi else ""


def _systems(row: dict[str, Any]) -> list[str]:
    order = ("baseline", "baseline_redis", "baseline_peerline")
    return [k for k in order if k in row] + sorted(
        k for k in row if k.startswith("service") and isinstance(row[k], dict)
    )


def steps_table(rows: list[dict[str, Any]]) -> str:
    """Every step of every sweep: the median of its runs, (smallest–largest) beside it."""
    lines = [
        "| scenario | system | offered msg/s | achieved msg/s, median (min–max) | relay p50 ms | relay p99 ms, median"
        " (min–max) | ack p99 ms | escalation p99 ms (n, pooled) | CPU ms/msg: server (min–max) + detector worker"
        " | loop pauses > 50 ms (longest ≤ s) | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row["scenario"].startswith("idle"):
            continue
        for system in _systems(row):
            for step in row[system].get("steps", []):
                esc = step.get("escalation_ms") or {}
                esc_s = f"{_p(esc)} (n={esc.get('n', 0)})" if esc.get("n") else "—"
                cpu = step.get("cpu")
                cpu_s = "—"
                if cpu:
                    server = f"{cpu['server_ms_per_msg']:.2f}{_spread2(step, 'server_ms_per_msg')}"
                    cpu_s = f"{server} + {cpu['children_ms_per_msg']:.2f}"
                pauses = step.get("pauses")
                pauses_s = "—" if not pauses else f"{pauses['over_50ms']} ({pauses['longest_le_s'] or '> 2.5'})"
                lines.append(
                    f"| {row['scenario']} | {system} | {step['offered']:,} | {step['achieved']:,}"
                    f"{_spread(step, 'achieved')} | {_p(step.get('relay_ms'), 'p50')} | {_p(step.get('relay_ms'))}"
                    f"{_spread(step, 'relay_p99')} | {_p(step.get('ack_ms'))} | {esc_s} | {cpu_s}"
                    f" | {pauses_s} | {step.get('errors') or ''} |"
                )
    return "\n".join(lines)


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario | system | most msg/s sustained (median run: ≥ 95 % delivered, p99 < 100 ms) | ratio to bare relay"
        " | relay p50 / p99 ms at the sustained rate | escalation p99 ms | pairing p99 ms | integrity |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        scen = row["scenario"]
        if scen.startswith("idle"):
            for system in ("baseline", "service"):
                r = row[system]
                per = (r["rss_kb"]["peak"] - r["rss_kb"]["before"]) / max(1, r["connected"])
                lines.append(
                    f"| {scen} (deflate offered) | {system} | {r['connect']['per_s']} connects/s"
                    f" | peak RSS {r['rss_kb']['peak'] / 1024:.0f} MB, {per:.1f} KB/socket | connected"
                    f" {r['connected']}/{r['sockets']}, alive {r['alive_after_hold']} | | | |"
                )
            continue
        base = row.get("baseline") or row.get("baseline_redis")
        base_max = max_sustained(base) if base else 0
        for system in _systems(row):
            r = row[system]
            best = max_sustained(r)
            step = at_rate(r, best) or {}
            service = system.startswith("service")
            esc = step.get("escalation_ms") if service else None
            pairing = r.get("pairing", {}).get("latency_ms") if service else None
            lines.append(
                f"| {scen} | {system} | {best:,} | {_ratio(best, base_max) if system != 'baseline' else '1.00×'}"
                f" | {_p(step.get('relay_ms'), 'p50')} / {_p(step.get('relay_ms'))}{_spread(step, 'relay_p99')}"
                f" | {_p(esc)} | {_p(pairing)} | {_integrity(r)} |"
            )
    return "\n".join(lines) + "\n\n" + steps_table(rows)


def plots(rows: list[dict[str, Any]], out: Path) -> list[Path]:
    """Relay latency percentiles against offered load, one figure per sweep scenario."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    for row in rows:
        systems = _systems(row)
        sweeps = {k: row[k]["steps"] for k in systems if len(row[k].get("steps", [])) > 1}
        if not sweeps:
            continue
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for name, steps in sweeps.items():
            x = [s["offered"] for s in steps]
            for q, style in (("p50", ":"), ("p99", "-")):
                ax.plot(x, [s["relay_ms"].get(q, float("nan")) for s in steps], style, marker="o", label=f"{name} {q}")
        ax.set_yscale("log")
        ax.set_xlabel("offered load (msg/s)")
        ax.set_ylabel("relay latency (ms)")
        ax.axhline(100, color="grey", linewidth=0.5)
        ax.set_title(f"{row['scenario']}: relay latency vs offered load")
        ax.legend(fontsize=7)
        path = out / f"{row['scenario']}.png"
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        made.append(path)
    return made


def write(rows: list[dict[str, Any]], out: Path, command: str) -> str:
    (out / "results.json").write_text(json.dumps(rows, indent=1))
    md = f"Command: `{command}`\n\n{table(rows)}\n"
    (out / "results.md").write_text(md)
    for path in plots(rows, out):
        md += f"\n![{path.stem}]({path.name})"
    return md
