"""``python -m escalation score [FILE]``: score JSON Lines conversations, one answer line per input line.

A malformed line gets an error line and the run goes on, so one bad record never hides the verdicts
on the others. Nothing but the required output is printed: no message text reaches stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

from escalation.detector import Detector


def score_lines(lines: Iterable[str], detector: Detector) -> Iterator[dict[str, Any]]:
    for line in lines:
        if not line.strip():
            continue
        yield score_line(line, detector)


def score_line(line: str, detector: Detector) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return {"id": None, "error": "invalid JSON"}
    if not isinstance(record, dict):
        return {"id": None, "error": "a line must be a JSON object"}
    rid = record.get("id")
    if not isinstance(rid, str | int | float) or isinstance(rid, bool):
        rid = None
    messages = record.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, str) for m in messages):
        return {"id": rid, "error": "messages must be a list of strings"}
    language = record.get("language", "en")
    result = detector.assess(messages, language if isinstance(language, str) else "en")
    return {"id": rid, "escalate": result.escalate, "category": result.category, "severity": result.severity}


def main(argv: list[str] | None = None, stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m escalation", description="Peerline crisis detector")
    sub = parser.add_subparsers(dest="command", required=True)
    score = sub.add_parser("score", help="score JSON Lines {id, messages} from FILE or stdin")
    score.add_argument("file", nargs="?", help="JSON Lines input (default: stdin)")
    args = parser.parse_args(argv)
    out = stdout or sys.stdout
    detector = Detector.load()
    if args.file:
        with open(args.file, encoding="utf-8", errors="replace") as f:
            _write(score_lines(f, detector), out)
    else:
        _write(score_lines(stdin or sys.stdin, detector), out)
    return 0


def _write(results: Iterable[dict[str, Any]], out: IO[str]) -> None:
    for result in results:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
