"""Train the risk model from labelled conversations, reproducibly, and choose its thresholds.

``python -m escalation train`` runs this on the data in ``escalation/data/`` (five independent
writers plus the development set) and any ``--extra`` rows exported from supervisors' decisions.
Everything is seeded and single-threaded, so two runs write the same bytes. Calibration and
thresholds come from *leave-one-writer-out* scores: each writer's conversations are scored by a
model that never saw that writer, which is what text from strangers will look like.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack, vstack

from escalation.embedding import mean_of_messages
from escalation.features import MESSAGE_SEPARATOR, Views, char_ngrams, window_text
from escalation.model import CATEGORIES, RiskModel

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).with_name("data")
DEFAULT_DATA = (DATA_DIR / "crisis_train.jsonl", DATA_DIR / "crisis_dev.jsonl")
LABELS = ("none", *CATEGORIES)
SEVERITIES = ("none", "high", "imminent")
MAX_LINE = 1_000_000
MAX_MESSAGES = 50
BLEND = 0.6  # weight of the n-gram learner; chosen on leave-one-writer-out recall (docs/detector.md)
WORD_DROPOUT = 0.3  # share of words dropped from the n-gram learner's extra copy of each conversation
ALERT_FALSE_ALARM_BUDGET = 0.05
WATCH_FALSE_ALARM_BUDGET = 0.15


class DataError(ValueError):
    """A labelled file cannot be used; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    messages: tuple[str, ...]
    escalate: bool
    category: str
    severity: str
    lang: str

    @property
    def writer(self) -> str:
        """Each writer's ids share a prefix (``ta-0001``): the unit that leave-one-writer-out holds out."""
        return self.id.split("-", 1)[0]


def read_examples(path: Path) -> list[Example]:
    examples: list[Example] = []
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot open ({exc.strerror})") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            if len(line) > MAX_LINE:
                raise DataError(f"{path}:{number}: line longer than {MAX_LINE} characters")
            examples.append(_example(line, f"{path}:{number}"))
    if not examples:
        raise DataError(f"{path}: no labelled conversations")
    return examples


def _example(line: str, where: str) -> Example:
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        raise DataError(f"{where}: not valid JSON") from None
    if not isinstance(record, dict):
        raise DataError(f"{where}: a line must be a JSON object")
    rid, messages = record.get("id"), record.get("messages")
    if not isinstance(rid, str) or not rid:
        raise DataError(f"{where}: 'id' must be a non-empty string")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, str) for m in messages):
        raise DataError(f"{where}: 'messages' must be a non-empty list of strings")
    if len(messages) > MAX_MESSAGES:
        raise DataError(f"{where}: more than {MAX_MESSAGES} messages")
    escalate, category, severity = record.get("escalate"), record.get("category"), record.get("severity")
    if not isinstance(escalate, bool):
        raise DataError(f"{where}: 'escalate' must be true or false")
    if category not in LABELS or severity not in SEVERITIES:
        raise DataError(f"{where}: 'category' must be one of {LABELS} and 'severity' one of {SEVERITIES}")
    if escalate != (category != "none") or escalate != (severity != "none"):
        raise DataError(f"{where}: 'escalate', 'category' and 'severity' disagree")
    lang = record.get("lang", "en")
    return Example(rid, tuple(messages), escalate, category, severity, lang if isinstance(lang, str) else "en")


def read_all(paths: Iterable[Path]) -> list[Example]:
    examples = [e for p in paths for e in read_examples(p)]
    seen: set[str] = set()
    for e in examples:
        if e.id in seen:
            raise DataError(f"id {e.id!r} appears twice")
        seen.add(e.id)
    return examples


# -- the learners ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Inputs:
    """Every example's two views and embedding, computed once and shared by all folds."""

    texts: list[str]
    words: list[tuple[str, ...]]
    embeddings: np.ndarray
    y: np.ndarray
    category: np.ndarray
    imminent: np.ndarray


def prepare(examples: Sequence[Example], views: Views, embed: Callable[[list[str]], np.ndarray]) -> Inputs:
    naturals = [[views.natural(m) for m in e.messages] for e in examples]
    words = [tuple(f.name for f in views.word_features(e.messages)) for e in examples]
    return Inputs(
        texts=[window_text(n) for n in naturals],
        words=words,
        embeddings=mean_of_messages(naturals, embed),
        y=np.array([e.escalate for e in examples]),
        category=np.array([e.category for e in examples]),
        imminent=np.array([e.severity == "imminent" for e in examples]),
    )


@dataclass
class Fitted:
    char: object
    word: object
    lin: object
    mlp: object
    cat: object
    imm: object

    def matrix(self, inputs: Inputs, rows: np.ndarray) -> csr_matrix:
        return hstack(
            [
                self.char.transform([inputs.texts[i] for i in rows]),  # type: ignore[attr-defined]
                self.word.transform([inputs.words[i] for i in rows]),  # type: ignore[attr-defined]
            ]
        ).tocsr()

    def blend(self, inputs: Inputs, rows: np.ndarray) -> np.ndarray:
        lin = self.lin.predict_proba(self.matrix(inputs, rows))[:, 1]  # type: ignore[attr-defined]
        mlp = self.mlp.predict_proba(inputs.embeddings[rows])[:, 1]  # type: ignore[attr-defined]
        return BLEND * lin + (1 - BLEND) * mlp


def fit(inputs: Inputs, rows: np.ndarray, seed: int) -> Fitted:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    char = TfidfVectorizer(analyzer=_char_analyzer, min_df=2, sublinear_tf=True, dtype=np.float32)
    word = TfidfVectorizer(analyzer=_identity, min_df=2, sublinear_tf=True, dtype=np.float32)
    char.fit([inputs.texts[i] for i in rows])
    word.fit([inputs.words[i] for i in rows])
    fitted = Fitted(char, word, None, None, None, None)
    x = fitted.matrix(inputs, rows)
    y = inputs.y[rows]
    dropped = _dropped_copy(inputs, rows, np.random.default_rng(seed))
    x_dropped = hstack([char.transform(dropped.texts), word.transform(dropped.words)]).tocsr()
    fitted.lin = LogisticRegression(C=10, max_iter=3000, class_weight="balanced").fit(
        vstack([x, x_dropped]).tocsr(), np.concatenate([y, y])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # adam stops at max_iter by design: early stopping would add noise
        fitted.mlp = MLPClassifier(hidden_layer_sizes=(256,), alpha=0.1, max_iter=300, random_state=seed).fit(
            inputs.embeddings[rows], y
        )
    positive = rows[y]
    xe = hstack([x[y], csr_matrix(inputs.embeddings[positive])]).tocsr()
    fitted.cat = LogisticRegression(C=10, max_iter=3000).fit(xe, inputs.category[positive])
    fitted.imm = LogisticRegression(C=10, max_iter=3000, class_weight="balanced").fit(xe, inputs.imminent[positive])
    return fitted


@dataclass(frozen=True, slots=True)
class _Dropped:
    texts: list[str]
    words: list[tuple[str, ...]]


def _dropped_copy(inputs: Inputs, rows: np.ndarray, rng: np.random.Generator) -> _Dropped:
    """Each conversation again with ~30 % of its words left out, for the n-gram learner only.

    Another writer tells the same crisis with some of these words and not others; training on
    copies that miss some words keeps the regression from leaning on a few phrases one writer
    favours. On leave-one-writer-out this raised recall at the same false-alarm rate by about two
    points, with every augmentation seed tried (docs/detector.md)."""

    def keep(items: Sequence[str], always: str | None = None) -> list[str]:
        kept = [w for w in items if w == always or rng.random() >= WORD_DROPOUT]
        return kept or list(items)

    texts = [" ".join(keep(inputs.texts[i].split(), always=MESSAGE_SEPARATOR.strip())) for i in rows]
    words = [tuple(keep(inputs.words[i])) for i in rows]
    return _Dropped(texts, words)


def _char_analyzer(text: str) -> list[str]:
    return list(char_ngrams(text))


def _identity(words: tuple[str, ...]) -> tuple[str, ...]:
    return words


def out_of_writer_scores(inputs: Inputs, writers: np.ndarray, seed: int) -> np.ndarray:
    """Each writer's blend scores from a model trained without that writer."""
    scores = np.zeros(len(writers))
    for writer in sorted(set(writers)):
        held = np.flatnonzero(writers == writer)
        rest = np.flatnonzero(writers != writer)
        log.info("scoring writer %s with a model trained on the other writers", writer)
        scores[held] = fit(inputs, rest, seed).blend(inputs, held)
    return scores


def calibrate(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling on held-out scores: probability = sigmoid(a * logit(score) + b)."""
    from sklearn.linear_model import LogisticRegression

    z = _logit(scores).reshape(-1, 1)
    platt = LogisticRegression(C=1e6, max_iter=1000).fit(z, y)
    return float(platt.coef_[0, 0]), float(platt.intercept_[0])


def choose_threshold(probabilities: np.ndarray, y: np.ndarray, budget: float, always: np.ndarray) -> float:
    """The lowest threshold whose false-alarm rate, with ``always`` alerting anyway, stays within budget."""
    negatives = ~y
    for t in np.round(np.arange(0.01, 1.0, 0.01), 2):
        alarms = (probabilities >= t) | always
        if alarms[negatives].mean() <= budget:
            return float(t)
    return 0.99


def apply_calibration(scores: np.ndarray, a: float, b: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(a * _logit(scores) + b)))


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


# -- the whole run -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Trained:
    arrays: dict[str, np.ndarray]
    meta: dict[str, object]
    held_out: np.ndarray  # calibrated leave-one-writer-out probabilities, one per example


def train(
    examples: Sequence[Example],
    views: Views,
    embed: Callable[[list[str]], np.ndarray],
    rule_imminent: np.ndarray,
    rule_any: np.ndarray,
    *,
    lexicon_key: str,
    seed: int = 0,
) -> Trained:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one thread: BLAS sums in a fixed order, so two runs give the same bytes
        inputs = prepare(examples, views, embed)
        writers = np.array([e.writer for e in examples])
        if len(set(writers)) < 2:
            raise DataError("training needs conversations from at least two writers (id prefixes)")
        held = out_of_writer_scores(inputs, writers, seed)
        a, b = calibrate(held, inputs.y)
        probabilities = apply_calibration(held, a, b)
        # watch first: a rule hit the model rates at least watch-worthy alerts too (see Detector._decide),
        # so the alert threshold is chosen with those alerts already counted against the budget
        watch = choose_threshold(probabilities, inputs.y, WATCH_FALSE_ALARM_BUDGET, rule_imminent)
        corroborated = rule_imminent | (rule_any & (probabilities >= watch))
        alert = max(choose_threshold(probabilities, inputs.y, ALERT_FALSE_ALARM_BUDGET, corroborated), watch)
        log.info("training the final model on all %d conversations", len(examples))
        final = fit(inputs, np.arange(len(examples)), seed)
    arrays, meta = _export(final)
    meta.update(
        calibration={"blend": BLEND, "a": a, "b": b},
        augmentation={"word_dropout": WORD_DROPOUT},
        thresholds={"alert": alert, "watch": watch},
        false_alarm_budgets={"alert": ALERT_FALSE_ALARM_BUDGET, "watch": WATCH_FALSE_ALARM_BUDGET},
        lexicon_key=lexicon_key,
        examples=len(examples),
        writers=sorted(set(writers)),
        seed=seed,
    )
    return Trained(arrays, meta, probabilities)


def _export(f: Fitted) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    char_vocab = sorted(f.char.vocabulary_, key=f.char.vocabulary_.get)  # type: ignore[attr-defined]
    word_vocab = sorted(f.word.vocabulary_, key=f.word.vocabulary_.get)  # type: ignore[attr-defined]
    cat_classes = list(f.cat.classes_)  # type: ignore[attr-defined]
    order = [cat_classes.index(c) if c in cat_classes else -1 for c in CATEGORIES]
    cat_coef = f.cat.coef_  # type: ignore[attr-defined]
    cat_w = np.stack([cat_coef[i] if i >= 0 else np.zeros(cat_coef.shape[1]) for i in order], axis=1)
    cat_b = np.array([f.cat.intercept_[i] if i >= 0 else -30.0 for i in order])  # type: ignore[attr-defined]
    mlp = f.mlp
    arrays = {
        "char_idf": f.char.idf_,  # type: ignore[attr-defined]
        "word_idf": f.word.idf_,  # type: ignore[attr-defined]
        "lin_w": f.lin.coef_[0],  # type: ignore[attr-defined]
        "lin_b": f.lin.intercept_,  # type: ignore[attr-defined]
        "mlp_w1": mlp.coefs_[0],  # type: ignore[attr-defined]
        "mlp_b1": mlp.intercepts_[0],  # type: ignore[attr-defined]
        "mlp_w2": mlp.coefs_[1][:, 0],  # type: ignore[attr-defined]
        "mlp_b2": mlp.intercepts_[1],  # type: ignore[attr-defined]
        "cat_w": cat_w,
        "cat_b": cat_b,
        "imm_w": f.imm.coef_[0],  # type: ignore[attr-defined]
        "imm_b": f.imm.intercept_,  # type: ignore[attr-defined]
    }
    arrays = {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}
    return arrays, {"char_vocabulary": char_vocab, "word_vocabulary": word_vocab}


def load_trained(trained: Trained, views: Views) -> RiskModel:
    return RiskModel(trained.arrays, trained.meta, views)
