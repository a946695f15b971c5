"""The trained risk model: a calibrated probability of crisis per window, per category and of imminence.

Two learners, blended, because they fail differently on wording no training writer used:
a logistic regression over character and word n-grams (exact, explainable: its word n-grams are the
evidence a supervisor reads) and a small neural network over multilingual sentence embeddings
(meaning, in English and Spanish, when the words are new). The blend is calibrated on
leave-one-writer-out scores, so a probability means what it says on strangers' text.

Artefact: one zip of ``.npy`` arrays plus ``meta.json`` (``risk-model.zip`` beside this file),
written byte-for-byte reproducibly by ``python -m escalation train``; numpy alone reads it.
"""

from __future__ import annotations

import io
import json
import logging
import math
import zipfile
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from escalation.features import Views, WordFeature, char_ngrams, inputs_key, window_text

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).with_name("model") / "risk-model.zip"
CATEGORIES = ("suicide", "self_harm", "harm_to_others", "abuse", "overdose")
MAX_MODEL_EVIDENCE = 4
EVIDENCE_FLOOR = 0.35  # a phrase adding less than this share of the strongest one's part is noise
TOKEN_FLOOR = 0.03  # a word adding less than this to the score does not extend a phrase
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class ModelError(ValueError):
    """The artefact is missing, unreadable or was built for another lexicon."""


@dataclass(frozen=True, slots=True)
class ModelScore:
    risk: float  # calibrated probability that the window shows crisis risk
    categories: Mapping[str, float]  # probability of each category (sums to ``risk``)
    imminent: float  # probability that the risk is imminent, given that there is risk
    evidence: tuple[Phrase, ...]  # the phrases that raised the score most, strongest first

    @property
    def category(self) -> str:
        return max(self.categories, key=lambda c: self.categories[c])


@dataclass(frozen=True, slots=True)
class TfidfBlock:
    """Sublinear tf-idf with an l2 norm, as scikit-learn computes it (checked by a test)."""

    vocabulary: Mapping[str, int]
    idf: np.ndarray

    def vector(self, terms: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        vocabulary = self.vocabulary
        counts = Counter(i for i in map(vocabulary.get, terms) if i is not None)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        values = (1.0 + np.log(tf)) * self.idf[index]
        return index, (values / np.linalg.norm(values)).astype(np.float32)


@dataclass(frozen=True, slots=True)
class Thresholds:
    alert: float  # at or above: escalate to supervisors, resources to the seeker
    watch: float  # at or above (and below alert): a quiet hint to the listener only


class RiskModel:
    """Immutable after load. ``score`` takes a batch: the embedding is far cheaper per window batched."""

    def __init__(self, arrays: Mapping[str, np.ndarray], meta: Mapping[str, object], views: Views) -> None:
        self.meta = dict(meta)
        self.views = views
        self.char = TfidfBlock(_vocabulary(meta["char_vocabulary"]), arrays["char_idf"])
        self.word = TfidfBlock(_vocabulary(meta["word_vocabulary"]), arrays["word_idf"])
        self._n_char = len(self.char.vocabulary)
        self._lin_w, self._lin_b = arrays["lin_w"], float(arrays["lin_b"][0])
        self._mlp = (arrays["mlp_w1"], arrays["mlp_b1"], arrays["mlp_w2"], float(arrays["mlp_b2"][0]))
        self._cat_w, self._cat_b = arrays["cat_w"], arrays["cat_b"]
        self._imm_w, self._imm_b = arrays["imm_w"], float(arrays["imm_b"][0])
        calibration, thresholds = _section(meta, "calibration"), _section(meta, "thresholds")
        self._blend = _number(calibration, "blend")
        self._calib_a, self._calib_b = _number(calibration, "a"), _number(calibration, "b")
        self.thresholds = Thresholds(_number(thresholds, "alert"), _number(thresholds, "watch"))
        self._embedder: object | None = None
        self._embedding_cache: OrderedDict[str, np.ndarray] = OrderedDict()  # per message, bounded

    @classmethod
    def load(cls, views: Views, path: Path = MODEL_PATH) -> RiskModel:
        try:
            with zipfile.ZipFile(path) as zf:
                meta = json.loads(zf.read("meta.json"))
                arrays = {
                    name[:-4]: np.load(io.BytesIO(zf.read(name)), allow_pickle=False)
                    for name in zf.namelist()
                    if name.endswith(".npy")
                }
            model = cls(arrays, meta, views)
        except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
            raise ModelError(f"cannot read the risk model at {path}: {type(exc).__name__}") from exc
        if meta.get("lexicon_key") != inputs_key():
            # the word features would no longer mean what they meant at training: say so loudly
            log.warning("the risk model was trained on another lexicon or normaliser; run python -m escalation train")
        return model

    # -- scoring -----------------------------------------------------------------------------
    def score(self, windows: Sequence[Sequence[str]], embeddings: np.ndarray | None = None) -> list[ModelScore]:
        if not windows:
            return []
        naturals = [[self.views.natural(m) for m in w] for w in windows]  # once: n-grams and embedding read it
        texts = [window_text(n) for n in naturals]
        if embeddings is None:
            embeddings = self._embed(naturals)
        out = []
        for messages, text, emb in zip(windows, texts, embeddings, strict=True):
            words = self.views.word_features(messages)
            ci, cv = self.char.vector(char_ngrams(text))
            wi, wv = self.word.vector(f.name for f in words)
            index = np.concatenate([ci, wi + self._n_char])
            values = np.concatenate([cv, wv])
            lin = _sigmoid(float(values @ self._lin_w[index]) + self._lin_b)
            w1, b1, w2, b2 = self._mlp
            hidden = np.maximum(emb @ w1 + b1, 0.0)
            mlp = _sigmoid(float(hidden @ w2) + b2)
            blended = self._blend * lin + (1 - self._blend) * mlp
            risk = _sigmoid(self._calib_a * _logit(blended) + self._calib_b)
            cat_logits = values @ self._cat_w[index] + emb @ self._cat_w[len(self._lin_w) :] + self._cat_b
            cat = np.exp(cat_logits - cat_logits.max())
            cat /= cat.sum()
            imm = _sigmoid(float(values @ self._imm_w[index] + emb @ self._imm_w[len(self._lin_w) :]) + self._imm_b)
            out.append(
                ModelScore(
                    risk=risk,
                    categories={c: risk * float(p) for c, p in zip(CATEGORIES, cat, strict=True)},
                    imminent=imm,
                    evidence=self._evidence(words, wi, wv),
                )
            )
        return out

    def _embed(self, windows: list[list[str]]) -> np.ndarray:
        if self._embedder is None:
            from escalation.embedding import Embedder

            self._embedder = Embedder()
        from escalation.embedding import mean_of_messages

        return mean_of_messages(windows, self._embedder.encode, self._embedding_cache)  # type: ignore[attr-defined]

    def _evidence(self, words: list[WordFeature], index: np.ndarray, values: np.ndarray) -> tuple[Phrase, ...]:
        """The phrases that raised the score most: each n-gram's part (tf-idf value × weight) is
        shared among its tokens, and runs of tokens that raise the score become one phrase, so a
        supervisor reads "he said he would hurt me" rather than "he", "would"."""
        part = dict(zip(index.tolist(), (values * self._lin_w[self._n_char + index]).tolist(), strict=True))
        vocabulary = self.word.vocabulary
        tokens: dict[tuple[int, int], list[float]] = {}  # (message, position) -> [score, start, end]
        for f in words:
            share = part.get(vocabulary.get(f.name, -1), 0.0) / f.length
            for k in range(f.length):
                slot = tokens.setdefault((f.message_index, f.position + k), [0.0, f.start, f.end])
                slot[0] += share
                if f.length == 1:
                    slot[1], slot[2] = f.start, f.end
        phrases: list[Phrase] = []
        run: list[tuple[int, int, float, int, int]] = []
        for (mi, pos), (score, start, end) in sorted(tokens.items()):
            token = (mi, pos, score, int(start), int(end))
            if score > TOKEN_FLOOR and run and run[-1][0] == mi and run[-1][1] == pos - 1:
                run.append(token)
                continue
            if run:
                phrases.append(_phrase(run))
            run = [token] if score > TOKEN_FLOOR else []
        if run:
            phrases.append(_phrase(run))
        if not phrases:
            return ()
        phrases.sort(key=lambda p: -p.score)
        floor = phrases[0].score * EVIDENCE_FLOOR
        return tuple(p for p in phrases[:MAX_MODEL_EVIDENCE] if p.score >= floor)


@dataclass(frozen=True, slots=True)
class Phrase:
    """Consecutive words of one message that together raised the model's score."""

    message_index: int
    start: int
    end: int
    score: float


def _phrase(run: list[tuple[int, int, float, int, int]]) -> Phrase:
    return Phrase(run[0][0], run[0][3], run[-1][4], sum(r[2] for r in run))


def write_artefact(path: Path, arrays: Mapping[str, np.ndarray], meta: Mapping[str, object]) -> None:
    """Byte-for-byte reproducible: fixed entry dates and order, no pickles."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("meta.json", date_time=_ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, json.dumps(meta, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buffer.getvalue())


def _section(meta: Mapping[str, object], name: str) -> Mapping[str, object]:
    value = meta[name]
    if not isinstance(value, dict):
        raise ModelError(f"the model's {name} is not an object")
    return value


def _number(section: Mapping[str, object], key: str) -> float:
    value = section[key]
    if not isinstance(value, int | float):
        raise ModelError(f"the model's {key!r} is not a number")
    return float(value)


def _vocabulary(terms: object) -> dict[str, int]:
    if not isinstance(terms, list):
        raise ModelError("the model's vocabulary is not a list")
    return {str(t): i for i, t in enumerate(terms)}


def _sigmoid(x: float) -> float:
    if x < -40:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))
