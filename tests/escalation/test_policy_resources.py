from __future__ import annotations

from pathlib import Path

import pytest

from escalation.detector import Assessment
from escalation.policy import should_escalate
from escalation.resources import load_resources


def hit(category: str, severity: str) -> Assessment:
    return Assessment(True, category, severity, ())


def test_first_hit_escalates() -> None:
    assert should_escalate([], hit("suicide", "high"))


def test_no_hit_never_escalates() -> None:
    assert not should_escalate([], Assessment(False, None, None, ()))


def test_same_or_lower_severity_does_not_repeat() -> None:
    assert not should_escalate([("suicide", "high")], hit("suicide", "high"))
    assert not should_escalate([("suicide", "imminent")], hit("self_harm", "high"))
    assert not should_escalate([("suicide", "imminent")], hit("overdose", "imminent"))


def test_rise_in_severity_escalates_again() -> None:
    assert should_escalate([("suicide", "high")], hit("suicide", "imminent"))
    assert should_escalate([(None, "high")], hit("abuse", "imminent"))
    assert not should_escalate([("suicide", "high"), ("abuse", "imminent")], hit("suicide", "imminent"))


def test_default_resources() -> None:
    res = load_resources()
    assert set(res) >= {"en", "es"}
    en = {r["name"]: r for r in res["en"]}
    assert en["988 Suicide & Crisis Lifeline"]["how"] == "Call or text 988"
    assert en["Crisis Text Line"]["how"] == "Text HOME to 741741"
    assert any("911" in r["how"] for r in res["en"])
    assert any("988" in r["how"] and "2" in r["how"] for r in res["es"])
    assert any("AYUDA" in r["how"] for r in res["es"])
    for items in res.values():
        assert all(set(r) == {"name", "how", "available"} for r in items)


def test_bad_resources_file_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "r.yaml"
    bad.write_text("en:\n  - name: x\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_resources(str(bad))
