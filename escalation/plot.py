"""Precision-recall curves of the model's probability, with the configured thresholds marked."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from escalation.detector import Assessment
from escalation.model import Thresholds
from escalation.training import Example


def precision_recall(
    path: Path,
    curves: Sequence[tuple[str, Sequence[Example], Sequence[Assessment]]],
    thresholds: Thresholds | None,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    for label, examples, verdicts in curves:
        y = [e.escalate for e in examples]
        scores = [v.risk if v.risk is not None else float(v.escalate) for v in verdicts]
        precision, recall, cut = precision_recall_curve(y, scores)
        ax.plot(recall, precision, label=label)
        marks = [] if thresholds is None else [("alert", thresholds.alert), ("watch", thresholds.watch)]
        for name, t in marks:
            i = min(range(len(cut)), key=lambda k: abs(cut[k] - t))
            ax.scatter([recall[i]], [precision[i]], marker="o" if name == "alert" else "s", zorder=3)
            ax.annotate(f"{name} {t:.2f}", (recall[i], precision[i]), textcoords="offset points", xytext=(6, -12))
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title("Risk model: precision-recall (model probability alone)")
    ax.legend(loc="lower left")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
