"""Hold the detector to minimum figures on the blind tuning set.

``data/blind_tune.jsonl`` was written before the detector's lexicons and rules were read (see
docs/detector.md, "Generalisation pass"), in chat style and deliberately unlike the dev set.
``data/blind_tune2.jsonl`` was written for the second pass, focused on the weak areas the first
holdout showed (preparatory acts, means at hand, "end it" verbs, overdoses without a count, abuse of
others, Spanish passive wishes) and their hard negatives. The passes were tuned on them, so these are
floors that catch regressions, not a measure of accuracy on unseen text. ``data/blind_tune3.jsonl``
was written for the third pass on imminent risk phrased unusually (acts in progress, time-bound
intent, means at hand now, farewells, Spanish imminent phrasing) and its hard negatives.
``data/blind_holdout.jsonl``, ``data/blind_holdout2.jsonl`` and ``data/blind_holdout3.jsonl`` are the
measurements and are deliberately NOT scored here (only
their format is checked): score them with ``score_crisis.py`` (commands in docs/detector.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from escalation.detector import Detector

DATA = Path(__file__).with_name("data")


def _score(detector: Detector, name: str) -> dict[str, float]:
    rows = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    tp = fp = fn = tn = cat_right = imminent = imminent_hit = 0
    for row in rows:
        result = detector.assess(row["messages"], row["lang"])
        if row["severity"] == "imminent":
            imminent += 1
            imminent_hit += result.escalate
        if row["escalate"] and result.escalate:
            tp += 1
            cat_right += result.category == row["category"]
        elif row["escalate"]:
            fn += 1
        elif result.escalate:
            fp += 1
        else:
            tn += 1
    return {
        "n": len(rows),
        "positives": tp + fn,
        "recall": tp / (tp + fn),
        "imminent_recall": imminent_hit / imminent,
        "fpr": fp / (fp + tn),
        "category": cat_right / max(tp, 1),
    }


def test_blind_tune_floors(detector: Detector) -> None:
    s = _score(detector, "blind_tune.jsonl")
    assert s["n"] >= 200 and s["positives"] >= 90
    assert s["recall"] >= 0.95
    assert s["imminent_recall"] >= 0.95
    assert s["fpr"] <= 0.03
    assert s["category"] >= 0.9


def test_blind_tune2_floors(detector: Detector) -> None:
    s = _score(detector, "blind_tune2.jsonl")
    assert s["n"] >= 150 and s["positives"] >= 80
    assert s["recall"] >= 0.95
    assert s["imminent_recall"] >= 0.95
    assert s["fpr"] <= 0.03
    assert s["category"] >= 0.9


def test_blind_tune3_floors(detector: Detector) -> None:
    s = _score(detector, "blind_tune3.jsonl")
    assert s["n"] >= 80 and s["positives"] >= 40
    assert s["recall"] >= 0.95
    assert s["imminent_recall"] >= 0.95
    assert s["fpr"] <= 0.03
    assert s["category"] >= 0.9


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _check_format(rows: list[dict]) -> None:
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r) >= {"id", "messages", "escalate", "category", "severity", "lang"}
        assert r["lang"] in ("en", "es") and r["messages"] and all(isinstance(m, str) for m in r["messages"])
        if r["escalate"]:
            assert r["category"] in ("suicide", "self_harm", "harm_to_others", "abuse", "overdose")
            assert r["severity"] in ("high", "imminent")
        else:
            assert r["category"] == r["severity"] == "none"


def test_blind_tune2_is_well_formed() -> None:
    rows = _rows("blind_tune2.jsonl")
    assert len(rows) >= 150
    _check_format(rows)
    share_risk = sum(r["escalate"] for r in rows) / len(rows)
    assert 0.4 <= share_risk <= 0.6 and sum(r["lang"] == "es" for r in rows) >= 40


def test_blind_sets_are_well_formed() -> None:
    for name in ("blind_tune.jsonl", "blind_holdout.jsonl", "blind_holdout2.jsonl"):
        rows = _rows(name)
        assert len(rows) >= 200
        _check_format(rows)
        if name == "blind_holdout2.jsonl":
            assert sum(r["severity"] == "imminent" for r in rows) >= 40
        share_es = sum(r["lang"] == "es" for r in rows) / len(rows)
        share_multi = sum(len(r["messages"]) > 1 for r in rows) / len(rows)
        share_risk = sum(r["escalate"] for r in rows) / len(rows)
        assert 0.2 <= share_es <= 0.3 and 0.1 <= share_multi <= 0.2 and 0.4 <= share_risk <= 0.5


def test_third_pass_sets_are_well_formed() -> None:
    tune = _rows("blind_tune3.jsonl")
    _check_format(tune)
    assert len(tune) >= 80 and sum(r["severity"] == "imminent" for r in tune) >= 35
    holdout = _rows("blind_holdout3.jsonl")
    _check_format(holdout)
    assert len(holdout) >= 110 and sum(r["severity"] == "imminent" for r in holdout) >= 35
    share_es = sum(r["lang"] == "es" for r in holdout) / len(holdout)
    share_multi = sum(len(r["messages"]) > 1 for r in holdout) / len(holdout)
    share_risk = sum(r["escalate"] for r in holdout) / len(holdout)
    assert 0.2 <= share_es <= 0.35 and 0.1 <= share_multi <= 0.2 and 0.4 <= share_risk <= 0.6
