"""``python -m escalation score`` as the scorer runs it: a real subprocess, JSON Lines in and out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(stdin: str, *args: str) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "escalation", "score", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    assert done.stderr == ""
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_score_stdin_with_a_malformed_line() -> None:
    lines = [
        json.dumps({"id": "a", "messages": ["i want to end my life tonight"]}),
        "{not json",
        json.dumps({"id": "b", "messages": "not a list"}),
        json.dumps({"id": "c", "messages": ["how is your day going"]}),
        json.dumps(["no", "object"]),
    ]
    out = run("\n".join(lines) + "\n")
    assert len(out) == 5
    assert out[0] == {"id": "a", "escalate": True, "category": "suicide", "severity": "imminent"}
    assert out[1]["id"] is None and "error" in out[1]
    assert out[2]["id"] == "b" and "error" in out[2]
    assert out[3] == {"id": "c", "escalate": False, "category": None, "severity": None}
    assert out[4]["id"] is None and "error" in out[4]


def test_score_file_argument(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"id": 7, "messages": ["mi novio me pega", "ahorita"]}) + "\n", encoding="utf-8")
    out = run("", str(f))
    assert out == [{"id": 7, "escalate": True, "category": "abuse", "severity": "imminent"}]


def test_score_answers_a_huge_line_with_an_error_line_and_goes_on() -> None:
    huge = json.dumps({"id": "big", "messages": ["a" * 1_200_000]})
    out = run(huge + "\n" + json.dumps({"id": "after", "messages": ["hello"]}) + "\n")
    assert out[0] == {"id": None, "error": "line longer than 1000000 characters"}
    assert out[1]["id"] == "after" and out[1]["escalate"] is False
