"""Invented evaluation sentences (tests/escalation/data/invented_eval.jsonl, none from the dev set).

The file mixes positives and hard negatives in English and Spanish, in the dev set's label format, so
``score_crisis.py`` can also score it. Most of it was written before the rules it exercises.
"""

from __future__ import annotations

import json
from pathlib import Path

from escalation.detector import Detector

DATA = Path(__file__).with_name("data") / "invented_eval.jsonl"


def test_invented_set_meets_the_targets(detector: Detector) -> None:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    tp = fp = fn = tn = cat_right = 0
    for row in rows:
        result = detector.assess(row["messages"], row["lang"])
        if row["escalate"] and result.escalate:
            tp += 1
            cat_right += result.category == row["category"]
        elif row["escalate"]:
            fn += 1
        elif result.escalate:
            fp += 1
        else:
            tn += 1
    assert tp + fn > 100 and fp + tn > 80
    assert tp / (tp + fn) >= 0.97
    assert fp / (fp + tn) <= 0.03
    assert cat_right / tp >= 0.9
