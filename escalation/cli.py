"""``python -m escalation``: score conversations, train the risk model, evaluate the detector.

``score`` keeps the contract in PROTOCOL.md: one answer line per input line, and a malformed line
gets an error line while the run goes on, so one bad record never hides the verdicts on the others.
``train`` and ``evaluate`` refuse unusable data with one clear line and exit 2. Nothing prints
message text.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from escalation.detector import Detector

BATCH = 64
MAX_LINE = 1_000_000


def score_lines(lines: Iterable[str], detector: Detector) -> Iterator[dict[str, Any]]:
    """Answers in input order; windows are assessed in batches (the model's embedding batches well)."""
    pending: list[tuple[Any, list[str] | None, dict[str, Any] | None]] = []
    for line in lines:
        if not line.strip():
            continue
        pending.append(parse_line(line))
        if len(pending) == BATCH:
            yield from _flush(pending, detector)
            pending = []
    yield from _flush(pending, detector)


def parse_line(line: str) -> tuple[Any, list[str] | None, dict[str, Any] | None]:
    """(id, messages, None) for a usable line, or (id, None, error answer)."""
    if len(line) > MAX_LINE:  # a window is a few messages; this is not one, and would take minutes to read
        return None, None, {"id": None, "error": f"line longer than {MAX_LINE} characters"}
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return None, None, {"id": None, "error": "invalid JSON"}
    if not isinstance(record, dict):
        return None, None, {"id": None, "error": "a line must be a JSON object"}
    rid = record.get("id")
    if not isinstance(rid, str | int | float) or isinstance(rid, bool):
        rid = None
    messages = record.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, str) for m in messages):
        return rid, None, {"id": rid, "error": "messages must be a list of strings"}
    return rid, messages, None


def _flush(
    pending: list[tuple[Any, list[str] | None, dict[str, Any] | None]], detector: Detector
) -> Iterator[dict[str, Any]]:
    windows = [m for _, m, _ in pending if m is not None]
    verdicts = iter(detector.assess_batch(windows))
    for rid, _, error in pending:
        if error is not None:
            yield error
            continue
        v = next(verdicts)
        yield {
            "id": rid,
            "escalate": v.escalate,
            "category": v.category if v.escalate else None,
            "severity": v.severity if v.escalate else None,
        }


def main(argv: list[str] | None = None, stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m escalation", description="Peerline crisis detector")
    sub = parser.add_subparsers(dest="command", required=True)
    score = sub.add_parser("score", help="score JSON Lines {id, messages} from FILE or stdin")
    score.add_argument("file", nargs="?", help="JSON Lines input (default: stdin)")
    score.add_argument("--rules-only", action="store_true", help="the lexicon rules alone, without the model")
    train = sub.add_parser("train", help="train the risk model from escalation/data (and --extra rows)")
    train.add_argument("--extra", action="append", default=[], type=Path, help="more labelled JSON Lines")
    train.add_argument("--data", action="append", type=Path, help="labelled JSON Lines instead of escalation/data")
    train.add_argument("--out", type=Path, help="where to write the artefact (default: the bundled model)")
    train.add_argument("--seed", type=int, default=0)
    evaluate = sub.add_parser("evaluate", help="figures for the whole detector on labelled conversations")
    evaluate.add_argument("file", nargs="?", type=Path, help="labelled JSON Lines scored by the bundled detector")
    evaluate.add_argument(
        "--leave-one-writer-out",
        action="store_true",
        help="train without each writer of escalation/data in turn and score that writer (the figure for strangers)",
    )
    evaluate.add_argument(
        "--cross-validate", action="store_true", help="the usual five random folds, writers mixed (for comparison)"
    )
    evaluate.add_argument("--plot", type=Path, help="write a precision-recall curve (PNG) here")
    evaluate.add_argument("--json", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)
    out = stdout or sys.stdout
    if args.command == "score":
        detector = Detector.load(model=not args.rules_only)
        if args.file:
            try:
                handle = open(args.file, encoding="utf-8", errors="replace")
            except OSError as exc:
                print(f"cannot open {args.file}: {exc.strerror}", file=sys.stderr)
                return 2
            with handle:
                _write(score_lines(handle, detector), out)
        else:
            _write(score_lines(stdin or sys.stdin, detector), out)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    from escalation.training import DataError

    try:
        if args.command == "train":
            from escalation.commands import run_train

            return run_train(args.data, args.extra, args.out, args.seed, out)
        from escalation.commands import run_evaluate

        return run_evaluate(args.file, args.leave_one_writer_out, args.cross_validate, args.plot, args.json, out)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _write(results: Iterable[dict[str, Any]], out: IO[str]) -> None:
    for result in results:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
