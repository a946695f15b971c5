"""The ``train`` and ``evaluate`` commands: reading data, running the learners, printing figures."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import numpy as np

from escalation.detector import Assessment, Detector
from escalation.evaluation import Figures, breakdown, figures, mean, table
from escalation.features import Views, inputs_key
from escalation.model import MODEL_PATH, RiskModel, write_artefact
from escalation.training import DEFAULT_DATA, DataError, Example, read_all, train

log = logging.getLogger(__name__)


def run_train(data: list[Path] | None, extra: list[Path], out: Path | None, seed: int, stdout: IO[str]) -> int:
    examples = read_all([*(data or DEFAULT_DATA), *extra])
    rules = Detector.load(model=False)
    trained = _train(examples, rules, seed)
    path = out or MODEL_PATH
    write_artefact(path, trained.arrays, trained.meta)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    meta = trained.meta
    writers = ", ".join(sorted({e.writer for e in examples}))
    stdout.write(
        f"trained on {len(examples)} conversations from writers {writers}\n"
        f"thresholds: {json.dumps(meta['thresholds'])}"
        f" (false-alarm budgets {json.dumps(meta['false_alarm_budgets'])})\n"
        f"wrote {path} ({path.stat().st_size} bytes, sha256 {digest})\n"
    )
    return 0


def _train(examples: Sequence[Example], rules: Detector, seed: int):  # type: ignore[no-untyped-def]
    from escalation.embedding import Embedder

    verdicts = rules.assess_batch([e.messages for e in examples])
    rule_imminent = np.array([v.escalate and v.severity == "imminent" for v in verdicts])
    rule_any = np.array([v.escalate for v in verdicts])
    embedder = Embedder()
    views = Views(rules.lexicon.normalizer)
    return train(examples, views, embedder.encode, rule_imminent, rule_any, lexicon_key=inputs_key(), seed=seed)


def run_evaluate(
    file: Path | None,
    leave_one_writer_out: bool,
    cross_validate: bool,
    plot: Path | None,
    json_out: Path | None,
    stdout: IO[str],
) -> int:
    if (file is not None) + leave_one_writer_out + cross_validate != 1:
        raise DataError("give one of: a labelled FILE, --leave-one-writer-out, --cross-validate")
    if file is not None:
        examples = read_all([file])
        detector = Detector.load()
        verdicts = detector.assess_batch([e.messages for e in examples])
        groups = breakdown(examples, verdicts)
        overall = figures(examples, verdicts)
        stdout.write(f"{file}: the bundled detector (rules + model)\n\n")
        stdout.write(table({"all": overall, **groups}) + "\n")
        report: dict[str, object] = {
            "file": str(file),
            "all": overall.as_dict(),
            "groups": {k: v.as_dict() for k, v in groups.items()},
        }
        if plot is not None:
            from escalation.plot import precision_recall

            precision_recall(plot, [(str(file), examples, verdicts)], detector.thresholds)
            stdout.write(f"\nprecision-recall curve: {plot}\n")
    else:
        report = _held_out_figures(stdout, plot, by_writer=leave_one_writer_out)
    if json_out is not None:
        json_out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _held_out_figures(stdout: IO[str], plot: Path | None, *, by_writer: bool) -> dict[str, object]:
    """Train without one group, score that group, for each group. Groups are writers (the figure for
    strangers' text) or, with ``by_writer=False``, five random folds (the usual cross-validation,
    which lets a writer's own phrasing into training and so flatters the detector)."""
    examples = read_all(DEFAULT_DATA)
    rules = Detector.load(model=False)
    scored = [e for e in examples if e.writer != "dev"]  # the development set is always trained on
    if by_writer:
        group_of = {e.id: f"writer={e.writer}" for e in scored}
    else:
        order = np.random.default_rng(0).permutation(len(scored))
        group_of = {scored[i].id: f"fold={k % 5 + 1}" for k, i in enumerate(order)}
    per_group: dict[str, Figures] = {}
    rules_only: dict[str, Figures] = {}
    curves: list[tuple[str, Sequence[Example], Sequence[Assessment]]] = []
    all_examples: list[Example] = []
    all_verdicts: list[Assessment] = []
    for group in sorted(set(group_of.values())):
        held = [e for e in scored if group_of[e.id] == group]
        rest = [e for e in examples if group_of.get(e.id) != group]
        log.info("held out: training without %s (%d conversations)", group, len(rest))
        trained = _train(rest, rules, seed=0)
        model = RiskModel(trained.arrays, trained.meta, Views(rules.lexicon.normalizer))
        detector = Detector(rules.lexicon, model, window=rules.window)
        verdicts = detector.assess_batch([e.messages for e in held])
        per_group[group] = figures(held, verdicts)
        rules_only[group] = figures(held, rules.assess_batch([e.messages for e in held]))
        curves.append((group, held, verdicts))
        all_examples.extend(held)
        all_verdicts.extend(verdicts)
    average = mean(list(per_group.values()))
    groups = breakdown(all_examples, all_verdicts)
    title = (
        "Leave one writer out: each writer scored by a detector trained without that writer"
        if by_writer
        else "Five-fold cross-validation (random folds, writers mixed): each fold scored without training on it"
    )
    stdout.write(f"{title}\n\n" + table({**per_group, "mean": average}) + "\n\n")
    stdout.write("Pooled over the held-out groups, by group\n\n" + table(groups) + "\n\n")
    stdout.write("The rules alone, same groups\n\n")
    stdout.write(table({**rules_only, "mean": mean(list(rules_only.values()))}) + "\n")
    if plot is not None:
        from escalation.plot import precision_recall

        precision_recall(plot, curves, None)
        stdout.write(f"\nprecision-recall curves: {plot}\n")
    return {
        "held_out": {k: v.as_dict() for k, v in per_group.items()},
        "mean": average.as_dict(),
        "groups": {k: v.as_dict() for k, v in groups.items()},
        "rules_only": {k: v.as_dict() for k, v in rules_only.items()},
    }
