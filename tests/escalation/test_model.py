"""The trained risk model: the same maths as scikit-learn, reproducible training, and the policy
that turns rules and model into one verdict."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from escalation.detector import Detector
from escalation.features import Views, char_ngrams, inputs_key
from escalation.lexicon import default_normalizer
from escalation.model import MODEL_PATH, RiskModel, TfidfBlock, Thresholds
from tests.support import run_escalation

ROOT = Path(__file__).resolve().parents[2]
INVENTED = [
    "my cat knocked over the plant again",
    "c a n t   s l e e p, exams tomorrow",
    "i keep giving my things away to friends, they won't need to remember me",
    "Hoy fue un día largo pero estoy bien",
    "everything feels heavy and pointless lately",
]


def test_tfidf_block_computes_what_scikit_learn_computes() -> None:
    views = Views(default_normalizer())
    texts = [views.natural(t) for t in INVENTED]
    vectorizer = TfidfVectorizer(analyzer=lambda t: list(char_ngrams(t)), sublinear_tf=True, dtype=np.float32)
    expected = vectorizer.fit_transform(texts)
    block = TfidfBlock(vectorizer.vocabulary_, vectorizer.idf_.astype(np.float32))
    for row, text in enumerate(texts):
        index, values = block.vector(char_ngrams(text))
        dense = np.zeros(len(vectorizer.vocabulary_), dtype=np.float32)
        dense[index] = values
        np.testing.assert_allclose(dense, expected[row].toarray()[0], rtol=1e-5, atol=1e-6)


def test_natural_text_undoes_what_people_do_to_dodge_filters() -> None:
    views = Views(default_normalizer())
    assert views.natural("k i l l  my self") == "kill my self"
    assert views.natural("s-u-i-c-i-d-e") == "suicide"
    assert views.natural("su1c1d3 20mg 3rd") == "suicide 20mg 3rd"
    assert views.natural("sooooo tired 💊") == "soo tired pills"


def test_the_bundled_model_loads_and_was_trained_on_this_lexicon() -> None:
    model = RiskModel.load(Views(default_normalizer()))
    assert model.meta["lexicon_key"] == inputs_key(), "lexicon or normaliser changed: python -m escalation train"
    assert 0 < model.thresholds.watch <= model.thresholds.alert < 1
    assert MODEL_PATH.stat().st_size < 5_000_000


def test_training_twice_writes_the_same_bytes(tmp_path: Path) -> None:
    """Seeds and one BLAS thread: a clean clone rebuilds the committed artefact exactly."""
    rows = [json.loads(line) for line in (ROOT / "escalation/data/crisis_train.jsonl").read_text().splitlines()]
    small = [r for r in rows if r["id"].startswith(("ta-", "tb-", "tc-"))][::12]
    data = tmp_path / "small.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in small))
    digests = []
    for run in ("a", "b"):
        out = tmp_path / f"{run}.zip"
        done = run_escalation("train", "--data", str(data), "--out", str(out))
        assert done.returncode == 0, done.stderr[-2000:]
        digests.append(hashlib.sha256(out.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
    model = RiskModel.load(Views(default_normalizer()), tmp_path / "a.zip")
    assert model.meta["examples"] == len(small)


def test_an_explicit_imminent_rule_hit_alerts_whatever_the_threshold(full_detector: Detector) -> None:
    strict = Detector(full_detector.lexicon, full_detector.model, thresholds=Thresholds(1.0, 1.0))
    explicit = strict.assess(["i am going to kill myself tonight, the pills are ready"])
    assert explicit.escalate and explicit.severity == "imminent" and explicit.risk is not None
    assert not strict.assess(["i keep giving my things away, they won't need to remember me"]).escalate


def test_the_model_alerts_on_wording_no_lexicon_lists(full_detector: Detector) -> None:
    rules = Detector(full_detector.lexicon)
    window = ["long day", "tomorrow nobody will have to put up with me anymore, i made sure of it"]
    assert not rules.assess(window).escalate
    verdict = full_detector.assess(window)
    assert verdict.escalate and verdict.category == "suicide"
    assert verdict.evidence and all(e.text in window[e.message_index] for e in verdict.evidence)
    assert {e.source for e in verdict.evidence} <= {"rules", "model"}


def test_between_watch_and_alert_is_a_hint_not_an_alert(full_detector: Detector) -> None:
    calm = full_detector.assess(["my cat knocked over the plant again"])
    assert not calm.escalate and not calm.watch and calm.risk is not None
    hinting = Detector(full_detector.lexicon, full_detector.model, thresholds=Thresholds(0.999, 0.01))
    verdict = hinting.assess(["everything feels heavy and pointless lately, i'm so tired of all of it"])
    assert not verdict.escalate and verdict.watch and verdict.category is not None


def test_a_few_words_are_too_little_for_the_model_alone(full_detector: Detector) -> None:
    # the model once rated "tonight" 0.98 and "ok thanks" 0.76: it saw almost no windows this short
    lenient = Detector(full_detector.lexicon, full_detector.model, thresholds=Thresholds(0.01, 0.01))
    for window in (["tonight"], ["ok thanks"], ["hey", "i have them"], ["hola"]):
        verdict = lenient.assess(window)
        assert not verdict.escalate and not verdict.watch, window
    assert lenient.assess(["kms"]).escalate  # the rules still speak for short windows
    assert lenient.assess(["hey", "i have them here, all forty of them"]).escalate


def test_the_window_setting_is_honoured_above_five(full_detector: Detector) -> None:
    window = ["i'm going to kill myself tonight", *["ok"] * 6]
    assert not Detector(full_detector.lexicon, window=5).assess(window).escalate
    seen = Detector(full_detector.lexicon, window=8).assess(window)
    assert seen.escalate and seen.evidence[0].message_index == 0


def test_a_failing_model_degrades_to_the_rules_and_says_so(full_detector: Detector) -> None:
    def fail(windows: object, embeddings: object = None) -> list[object]:
        raise FloatingPointError("injected")

    model = copy.copy(full_detector.model)
    model.score = fail  # type: ignore[assignment, method-assign, union-attr]
    detector = Detector(full_detector.lexicon, model, thresholds=full_detector.thresholds)
    verdict = detector.assess(["i am going to kill myself tonight"])
    assert verdict.degraded and verdict.escalate and verdict.severity == "imminent"
    assert detector.assess(["hello"]).degraded


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no labelled conversations"),
        ('{"id": "ta-1", "messages": ["hi"]}\n', "'escalate' must be true or false"),
        ('{"id": "ta-1", "messages": "hi", "escalate": false}\n', "'messages' must be a non-empty list"),
        ('{"messages": ["hi"], "escalate": false, "category": "none", "severity": "none"}\n', "'id'"),
        ('{"id": "ta-1", "messages": ["hi"], "escalate": true, "category": "none", "severity": "none"}\n', "disagree"),
        ('{"id": "ta-1", "messages": ["hi"], "escalate": false, "category": "sad", "severity": "none"}\n', "one of"),
        ("[1, 2]\n", "JSON object"),
        ("{nope\n", "not valid JSON"),
        ('{"id": "ta-1", "messages": ["' + "a" * 1_000_100 + '"]}\n', "longer than"),
    ],
)
@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_bad_labelled_files_get_one_clear_line(tmp_path: Path, content: str, message: str, command: str) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text(content)
    args = (
        ["train", "--data", str(data), "--out", str(tmp_path / "m.zip")]
        if command == "train"
        else ["evaluate", str(data)]
    )
    done = run_escalation(*args, timeout=120)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "m.zip").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["evaluate"],
        ["evaluate", "x.jsonl", "--leave-one-writer-out"],
        ["evaluate", "--leave-one-writer-out", "--cross-validate"],
        ["score", "/nonexistent/file.jsonl"],
    ],
)
def test_commands_refuse_what_they_cannot_do(args: list[str]) -> None:
    done = run_escalation(*args, timeout=120)
    assert done.returncode == 2 and done.stderr and "Traceback" not in done.stderr
