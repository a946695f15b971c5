"""Decide whether a conversation's recent seeker messages show crisis risk, and show why.

Two judges, each doing what it is good at. The *rules* (lexicons, one normalisation pass and one
Aho-Corasick scan per message) catch explicit and imminent wording instantly and explain it; an
imminent rule hit always alerts. The *trained model* (``escalation.model``) gives a calibrated
probability of crisis for wording no lexicon lists; above the ``alert`` threshold it escalates,
between ``watch`` and ``alert`` it asks for a quiet hint to the listener only — unless a rule also
matched, and then the two together alert (on strangers' text a rule hit alone is wrong too often).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from escalation.context import Hit, apply_context
from escalation.features import Views
from escalation.lexicon import Lexicon, Rule, load_lexicon, match_token
from escalation.model import ModelScore, RiskModel, Thresholds
from escalation.normalize import BOUNDARY_STOP, Normalized
from escalation.vocabulary import Category, Severity, severity_rank

logger = logging.getLogger(__name__)

WINDOW = 5
MAX_EVIDENCE = 8
IMMINENT_PROBABILITY = 0.5  # the model's P(imminent | crisis) from which a model alert is "imminent"
# Fewer words than this in the whole window is too little text for the model to judge alone: 13 of the
# 3,821 training conversations are that short, so its score there is noise ("ok thanks" scored 0.76,
# "tonight" 0.98). Such a window alerts on the rules' word only (a rule hit the model also rates
# worrying still alerts). On leave-one-writer-out this costs 0.001 of recall (docs/detector.md).
MIN_MODEL_WORDS = 5
# When two categories fire at the same severity, the one needing the most specific response wins:
# an ingestion needs medical help now, a threat to others or from others needs a different playbook.
CATEGORY_PRIORITY: dict[str, int] = {
    Category.OVERDOSE: 5,
    Category.HARM_TO_OTHERS: 4,
    Category.ABUSE: 3,
    Category.SUICIDE: 2,
    Category.SELF_HARM: 1,
}
__all__ = ["NO_RISK", "UNKNOWN_RISK", "Assessment", "Detector", "Evidence", "severity_rank"]


@dataclass(frozen=True, slots=True)
class Evidence:
    message_index: int
    start: int
    end: int
    text: str
    category: str
    severity: str
    source: str = "rules"  # "rules": a lexicon phrase; "model": a word n-gram that raised the model's score


@dataclass(frozen=True, slots=True)
class Assessment:
    escalate: bool
    category: str | None
    severity: str | None
    evidence: tuple[Evidence, ...]
    risk: float | None = None  # the model's calibrated probability of crisis (None: rules only)
    watch: bool = False  # below the alert threshold but worth a quiet hint to the listener
    degraded: bool = False  # the model failed; this is the rules' verdict alone
    unknown: bool = False  # the detector failed outright: no verdict at all, so it alerts as "unknown risk"


NO_RISK = Assessment(False, None, None, ())
# What a failure of the whole detector (rules included) becomes: an escalation a supervisor looks at,
# never a silent "no risk". No category and no evidence, because nothing was read.
UNKNOWN_RISK = Assessment(True, None, Severity.HIGH, (), degraded=True, unknown=True)


@dataclass(frozen=True, slots=True)
class MessageAnalysis:
    normalized: Normalized
    hits: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class _Candidate:
    rank: tuple[int, int, int]
    rule: Rule
    severity: Severity
    hits: tuple[tuple[int, Hit], ...]


class Detector:
    """Immutable after load; ``assess`` is pure apart from a thread-safe cache, so it is reentrant."""

    def __init__(
        self,
        lexicon: Lexicon,
        model: RiskModel | None = None,
        *,
        window: int = WINDOW,
        thresholds: Thresholds | None = None,
        cache_size: int = 4096,
    ) -> None:
        self.lexicon = lexicon
        self.model = model
        self.window = window
        self.thresholds = thresholds or (model.thresholds if model is not None else Thresholds(1.0, 1.0))
        self.analyze = lru_cache(maxsize=cache_size)(self._analyze)

    @classmethod
    def load(
        cls,
        languages: Iterable[str] = ("en", "es"),
        cache_dir: Path | None = None,
        *,
        model: bool = True,
        window: int = WINDOW,
        alert_threshold: float | None = None,
        watch_threshold: float | None = None,
    ) -> Detector:
        """With ``cache_dir`` the compiled lexicon is kept on disk between starts (``compiled.py``).
        ``model=False`` gives the rules alone (tests of the rules, and the fallback)."""
        if cache_dir is None:
            lexicon = load_lexicon(languages)
        else:
            from escalation.compiled import load_compiled

            lexicon = load_compiled(languages, cache_dir)
        risk_model = RiskModel.load(Views(lexicon.normalizer)) if model else None
        thresholds = None
        if risk_model is not None:
            default = risk_model.thresholds
            alert = default.alert if alert_threshold is None else alert_threshold
            watch = default.watch if watch_threshold is None else watch_threshold
            thresholds = Thresholds(alert, min(watch, alert))
        return cls(lexicon, risk_model, window=window, thresholds=thresholds)

    # -- one message ---------------------------------------------------------------------------
    def _analyze(self, text: str) -> MessageAnalysis:
        norm = self.lexicon.normalizer(text)
        words = [t.text for t in norm.tokens]
        match = [match_token(w) for w in words]
        if match and match[-1] != BOUNDARY_STOP:
            match.append(BOUNDARY_STOP)  # so "<end>" phrases also match at the end of the message
        line = " " + " ".join(match) + " "
        first_at: dict[int, int] = {}
        pos = 1
        for i, w in enumerate(match):
            first_at[pos] = i
            pos += len(w) + 1
        sentence: list[int] = []
        n = 0
        for w in words:
            sentence.append(n)
            if w == BOUNDARY_STOP:
                n += 1
        hits: list[Hit] = []
        for end, (n_tokens, names, length) in self.lexicon.automaton.iter(line):
            first = first_at[end - length + 2]
            if first >= len(words):
                continue
            last = min(first + n_tokens - 1, len(words) - 1)
            start, stop = norm.span(first, last)
            for name in names:
                hits.append(Hit(name, first, last, sentence[first], start, stop))
        return MessageAnalysis(norm, apply_context(hits, words, self.lexicon))

    # -- the window ----------------------------------------------------------------------------
    def assess(self, messages: Sequence[str], language: str = "en") -> Assessment:
        """Assess the window (oldest first, newest last).

        Every loaded language's lexicon is applied whatever ``language`` says: seekers switch languages
        mid-conversation and the widget's language setting is often left at its default.
        """
        return self.assess_batch([messages])[0]

    def assess_batch(self, windows: Sequence[Sequence[str]]) -> list[Assessment]:
        """One verdict per window. The model scores the whole batch at once (embeddings batch well).

        Raises only for a bug in the rules; a failing model degrades to the rules' verdict, marked
        ``degraded`` so the caller can count it."""
        cut = [[m if isinstance(m, str) else "" for m in list(w)[-self.window :]] for w in windows]
        offsets = [len(w) - len(c) for w, c in zip(windows, cut, strict=True)]
        rules = [self._assess(c, offset) for c, offset in zip(cut, offsets, strict=True)]
        if self.model is None:
            return rules
        try:
            scores = self.model.score(cut)
        except Exception as exc:  # a model bug must not silence the rules
            logger.error("risk model failed: %s", type(exc).__name__)
            return [Assessment(r.escalate, r.category, r.severity, r.evidence, degraded=True) for r in rules]
        return [self._decide(r, s, c, offset) for r, s, c, offset in zip(rules, scores, cut, offsets, strict=True)]

    def _decide(self, rules: Assessment, score: ModelScore, window: list[str], offset: int) -> Assessment:
        t = self.thresholds
        if not rules.escalate and sum(len(m.split()) for m in window) < MIN_MODEL_WORDS:
            return Assessment(False, None, None, (), risk=score.risk)
        rule_imminent = rules.escalate and rules.severity == Severity.IMMINENT
        corroborated = rules.escalate and score.risk >= t.watch  # a rule hit the model finds worrying too
        if not rule_imminent and not corroborated and score.risk < t.alert:
            watch = score.risk >= t.watch or rules.escalate
            category = rules.category if rules.escalate else score.category
            return Assessment(False, category if watch else None, None, (), risk=score.risk, watch=watch)
        category = rules.category if rules.escalate and rules.category else score.category
        imminent = rule_imminent or score.imminent >= IMMINENT_PROBABILITY
        severity = Severity.IMMINENT if imminent else Severity.HIGH
        evidence = [e for e in rules.evidence if e.category == category]
        for f in score.evidence:
            if len(evidence) >= MAX_EVIDENCE:
                break
            index = offset + f.message_index
            if any(e.message_index == index and e.start < f.end and f.start < e.end for e in evidence):
                continue
            text = window[f.message_index][f.start : f.end]
            evidence.append(Evidence(index, f.start, f.end, text, category, severity, "model"))
        evidence.sort(key=lambda e: (e.message_index, e.start))
        return Assessment(True, category, severity, tuple(evidence), risk=score.risk)

    def _assess(self, window: Sequence[str], offset: int = 0) -> Assessment:
        """The rules' verdict on a window already cut to size; ``offset`` numbers its messages."""
        analyses = [self.analyze(m) for m in window]
        index: dict[str, list[tuple[int, Hit]]] = {}
        for mi, analysis in enumerate(analyses):
            for h in analysis.hits:
                index.setdefault(h.cue, []).append((mi, h))
        if not index:
            return NO_RISK
        candidates: list[_Candidate] = []
        for cue, anchors in index.items():
            for rule in self.lexicon.rules_by_anchor.get(cue, ()):
                for mi, hit in reversed(anchors):
                    support = _support(rule, mi, hit, index)
                    if support is None:
                        continue
                    imminent = rule.severity == Severity.IMMINENT or any(c in index for c in rule.imminent_with)
                    severity = Severity.IMMINENT if imminent else Severity.HIGH
                    rank = (severity_rank(severity), CATEGORY_PRIORITY[rule.category], mi)
                    candidates.append(_Candidate(rank, rule, severity, ((mi, hit), *support)))
                    break
        if not candidates:
            return NO_RISK
        best = max(candidates, key=lambda c: c.rank)
        category, severity = best.rule.category, best.severity
        seen: set[tuple[int, int, int]] = set()
        evidence: list[Evidence] = []
        for cand in sorted(candidates, key=lambda c: c.rank, reverse=True):
            if cand.rule.category != category:
                continue
            for mi, h in cand.hits:
                key = (mi, h.start, h.end)
                if key in seen or h.start >= h.end:
                    continue
                seen.add(key)
                original = analyses[mi].normalized.original
                evidence.append(Evidence(offset + mi, h.start, h.end, original[h.start : h.end], category, severity))
        evidence.sort(key=lambda e: (e.message_index, e.start, -e.end))
        evidence = [
            e
            for i, e in enumerate(evidence)
            if not any(
                o.message_index == e.message_index and o.start <= e.start and e.end <= o.end for o in evidence[:i]
            )
        ]
        return Assessment(True, category, severity, tuple(evidence[:MAX_EVIDENCE]))


def _in_scope(scope: str, mi: int, hit: Hit, mj: int, other: Hit) -> bool:
    if scope == "window":
        return True
    if mi != mj:
        return False
    return scope == "message" or hit.sentence == other.sentence


def _find(
    cue: str,
    scope: str,
    mi: int,
    hit: Hit,
    index: dict[str, list[tuple[int, Hit]]],
    within: int = 0,
    ordered: bool = False,
) -> tuple[int, Hit] | None:
    for mj, other in reversed(index.get(cue, ())):
        if not _in_scope(scope, mi, hit, mj, other):
            continue
        if within and (mi != mj or abs(other.first - hit.first) > within):
            continue
        if ordered and (mj < mi or (mj == mi and other.first < hit.first)):
            continue
        return mj, other
    return None


def _support(rule: Rule, mi: int, hit: Hit, index: dict[str, list[tuple[int, Hit]]]) -> list[tuple[int, Hit]] | None:
    """The context hits that make this anchor a finding, or None when the rule does not hold."""
    found: list[tuple[int, Hit]] = []
    for cue in rule.all:
        f = _find(cue, rule.scope, mi, hit, index, rule.within, rule.ordered)
        if f is None:
            return None
        found.append(f)
    if rule.any:
        for cue in rule.any:
            f = _find(cue, rule.scope, mi, hit, index, rule.within, rule.ordered)
            if f is not None:
                found.append(f)
                break
        else:
            return None
    for cue in rule.unless:
        if _find(cue, rule.unless_scope, mi, hit, index) is not None:
            return None
    return found
