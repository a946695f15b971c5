"""Figures for a detector on labelled conversations: the same measures as ``score_crisis.py``.

Recall counts a crisis as found when the detector alerts; imminent recall does so for the
imminent ones; the false-positive rate is alerts on safe conversations; category accuracy is
measured on the crises found. Each figure is also broken down by category, language, single or
multi-message and severity, since an average can hide a group the detector fails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from escalation.detector import Assessment
from escalation.training import Example


@dataclass(frozen=True, slots=True)
class Figures:
    n: int
    recall: float | None
    imminent_recall: float | None
    false_positive_rate: float | None
    precision: float | None
    category_accuracy: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "n": self.n,
            "recall": self.recall,
            "imminent_recall": self.imminent_recall,
            "false_positive_rate": self.false_positive_rate,
            "precision": self.precision,
            "category_accuracy_on_hits": self.category_accuracy,
        }


def figures(examples: Sequence[Example], verdicts: Sequence[Assessment]) -> Figures:
    tp = fn = fp = tn = cat = imminent = imminent_hit = 0
    for e, v in zip(examples, verdicts, strict=True):
        if e.escalate:
            if v.escalate:
                tp += 1
                cat += v.category == e.category
            else:
                fn += 1
            if e.severity == "imminent":
                imminent += 1
                imminent_hit += v.escalate
        elif v.escalate:
            fp += 1
        else:
            tn += 1
    return Figures(
        n=len(examples),
        recall=_ratio(tp, tp + fn),
        imminent_recall=_ratio(imminent_hit, imminent),
        false_positive_rate=_ratio(fp, fp + tn),
        precision=_ratio(tp, tp + fp),
        category_accuracy=_ratio(cat, tp),
    )


def breakdown(examples: Sequence[Example], verdicts: Sequence[Assessment]) -> dict[str, Figures]:
    """Figures per group. A category or severity group holds its crises and every safe conversation
    of the set, so its false-positive rate is the set's own; language and length groups split both."""
    groups: dict[str, list[int]] = defaultdict(list)
    safe = [i for i, e in enumerate(examples) if not e.escalate]
    for i, e in enumerate(examples):
        groups[f"lang={e.lang}"].append(i)
        groups["multi-message" if len(e.messages) > 1 else "single-message"].append(i)
        if e.escalate:
            groups[f"category={e.category}"].append(i)
            groups[f"severity={e.severity}"].append(i)
    for key in [k for k in groups if k.startswith(("category=", "severity="))]:
        groups[key].extend(safe)
    return {
        key: figures([examples[i] for i in rows], [verdicts[i] for i in rows]) for key, rows in sorted(groups.items())
    }


def table(rows: dict[str, Figures]) -> str:
    head = "| group | n | recall | imminent recall | false-positive rate | precision | category right |"
    lines = [head, "|---|---|---|---|---|---|---|"]
    for key, f in rows.items():
        cells = [f.recall, f.imminent_recall, f.false_positive_rate, f.precision, f.category_accuracy]
        lines.append(f"| {key} | {f.n} | " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def mean(rows: Sequence[Figures]) -> Figures:
    def avg(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return round(sum(present) / len(present), 4) if present else None

    return Figures(
        n=sum(r.n for r in rows),
        recall=avg([r.recall for r in rows]),
        imminent_recall=avg([r.imminent_recall for r in rows]),
        false_positive_rate=avg([r.false_positive_rate for r in rows]),
        precision=avg([r.precision for r in rows]),
        category_accuracy=avg([r.category_accuracy for r in rows]),
    )


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"
