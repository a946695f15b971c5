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


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario | system | most msg/s (p99 < 100 ms) | ratio to baseline | relay p50 / p99 at 1,000 msg/s (ms)"
        " | ack p99 | escalation p99 | pairing p99 | integrity |",
        "|---|---|---|---|---|---|---|---|---|",
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
                    f" {r['connected']}/{r['sockets']}, alive {r['alive_after_hold']} | | | | |"
                )
            continue
        systems = [k for k in ("baseline", "baseline_redis", "baseline_peerline", "service") if k in row]
        base = row.get("baseline") or row.get("baseline_redis")
        base_max = max_sustained(base) if base else 0
        for system in systems:
            r = row[system]
            best = max_sustained(r)
            rate = row.get("rate", 1000)
            step = at_rate(r, rate) or {}
            esc = step.get("escalation_ms") if system == "service" else None
            pairing = r.get("pairing", {}).get("latency_ms") if system == "service" else None
            lines.append(
                f"| {scen} | {system} | {best:,} | {_ratio(best, base_max) if system != 'baseline' else '1.00×'}"
                f" | {_p(step.get('relay_ms'), 'p50')} / {_p(step.get('relay_ms'))} (at {rate:,})"
                f" | {_p(step.get('ack_ms'))} | {_p(esc)} | {_p(pairing)} | {_integrity(r)} |"
            )
    return "\n".join(lines)


def plots(rows: list[dict[str, Any]], out: Path) -> list[Path]:
    """Relay latency percentiles against offered load, one figure per sweep scenario."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    for row in rows:
        systems = [k for k in row if k.startswith(("baseline", "service")) and isinstance(row[k], dict)]
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
