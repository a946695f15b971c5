"""Load the lexicon data files into one normalizer, one multi-pattern automaton and a rule table.

Lexicons are data (``escalation/lexicon/<lang>.yaml``) so that clinicians and reviewers can add a
phrase without reading Python. Every phrase is pushed through the same normalizer as chat text, so
a phrase written ``don't want to live`` also matches ``dont wanna liiive``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from escalation.normalize import BOUNDARIES, Normalized, Normalizer, Tables
from escalation.vocabulary import Category, Severity

LEXICON_DIR = Path(__file__).with_name("lexicon")
CATEGORIES = tuple(Category)
SEVERITIES = tuple(Severity)
SCOPES = ("sentence", "message", "window")
SPECIAL_CUES = ("IDIOM", "PAST", "CURRENT", "FRAME")

# Numbers are matched by size, not value: "took 40" and "took 25" are the same signal.
NUM_MANY = "qnumbig"
NUM_FEW = "qnumsmall"
NUM_LONG = "qnumlong"
# "<end>" in a phrase matches the end of a sentence or of the message.
END_MARK = "qendmark"
NUM_ORD = "qnumord"
_ORDINAL = re.compile(r"\d+(st|nd|rd|th)")
MANY_THRESHOLD = 6
_PLACEHOLDERS = {
    "<many>": NUM_MANY,
    "<few>": NUM_FEW,
    "<num>": f"({NUM_MANY}|{NUM_FEW})",
    "<end>": END_MARK,
    "<ord>": NUM_ORD,
}
_MAX_EXPANSION = 20_000
_CUE_REF = re.compile(r"\{([A-Z_0-9]+)\}")


class LexiconError(ValueError):
    """A lexicon file is malformed; raised at load so a bad edit never reaches the hot path."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One way risk shows: an anchor cue plus the context cues it needs, forbids, or is raised by."""

    id: str
    category: str
    severity: str
    anchor: str
    all: tuple[str, ...]
    any: tuple[str, ...]
    unless: tuple[str, ...]
    imminent_with: tuple[str, ...]
    scope: str
    unless_scope: str
    topic: bool
    within: int = 0  # >0: the `all`/`any` cues must start within this many words of the anchor
    ordered: bool = False  # the `all`/`any` cues must start at or after the anchor ("want … die")


@dataclass(frozen=True, slots=True)
class Lexicon:
    normalizer: Normalizer
    automaton: Any  # ahocorasick.Automaton: " a b " -> (n_tokens, cue names, len(" a b "))
    rules: tuple[Rule, ...]
    rules_by_anchor: Mapping[str, tuple[Rule, ...]]
    negators: frozenset[str]
    negation_cancelled_by: frozenset[str]
    scope_breakers: frozenset[str]
    negation_window: int
    topic_cues: frozenset[str]
    languages: tuple[str, ...]
    pattern_count: int
    # Cues whose phrases contain their own negator ("no point in living", "would not mind if"): that
    # negator belongs to the phrase and does not negate the hits after it.
    negation_owners: frozenset[str] = frozenset()


def expand(pattern: str) -> list[str]:
    """Expand a template into plain phrases.

    ``(a|b)`` picks one, ``(a|b)?`` and ``[a]`` may be left out, groups nest, ``<many>``/``<few>``/``<num>``
    stand for counts. Writing templates instead of phrase lists is what lets the lexicon generalise to
    sentences nobody wrote down.
    """
    for key, value in _PLACEHOLDERS.items():
        pattern = pattern.replace(key, value)
    out, i = _sequence(pattern, 0)
    if i != len(pattern):
        raise LexiconError(f"unbalanced group in pattern {pattern!r}")
    return [" ".join(x.split()) for x in out]


def _sequence(p: str, i: int) -> tuple[list[str], int]:
    results = [""]
    buf: list[str] = []
    while i < len(p):
        c = p[i]
        if c in ")|]":
            break
        if c not in "([":
            buf.append(c)
            i += 1
            continue
        close = ")" if c == "(" else "]"
        alts: list[str] = []
        i += 1
        while True:
            sub, i = _sequence(p, i)
            alts.extend(sub)
            if i >= len(p):
                raise LexiconError(f"unbalanced group in pattern {p!r}")
            if p[i] == "|":
                i += 1
                continue
            if p[i] != close:
                raise LexiconError(f"mismatched bracket in pattern {p!r}")
            i += 1
            break
        if close == "]":
            alts.append("")
        elif i < len(p) and p[i] == "?":
            alts.append("")
            i += 1
        prefix = "".join(buf)
        buf = []
        results = [r + prefix + a for r in results for a in alts]
        if len(results) > _MAX_EXPANSION:
            raise LexiconError(f"pattern expands to more than {_MAX_EXPANSION} phrases: {p!r}")
    tail = "".join(buf)
    return [r + tail for r in results], i


def _read_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    if not isinstance(data, dict):
        raise LexiconError(f"{path.name}: top level must be a mapping")
    return data


def _read_confusables(path: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, target = line.split("\t")[:2]
        table[chr(int(code[2:], 16))] = target
    return table


def _fuzzy_variants(word: str) -> set[str]:
    """Adjacent swaps and single drops of a long key word ("myslef", "suicde")."""
    out: set[str] = set()
    for i in range(len(word) - 1):
        out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    for i in range(1, len(word)):
        out.add(word[:i] + word[i + 1 :])
    out.discard(word)
    return out


def _as_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LexiconError(f"{what} must be a list of strings")
    return list(value)


def load_lexicon(languages: Iterable[str] = ("en", "es"), directory: Path | None = None) -> Lexicon:
    directory = directory or LEXICON_DIR
    languages = tuple(languages)
    charmap = _read_yaml(directory / "charmap.yaml")
    confusables = _read_confusables(directory / "confusables.tsv")
    docs = {lang: _read_yaml(directory / f"{lang}.yaml") for lang in languages}

    base = Normalizer(
        Tables(
            leet={str(k): str(v) for k, v in (charmap.get("leet") or {}).items()},
            wildcards=str(charmap.get("wildcards", "*#_")),
            emoji={str(k): str(v) for k, v in (charmap.get("emoji") or {}).items()},
            confusables=confusables,
        )
    )

    def words(text: str) -> tuple[str, ...]:
        return tuple(t.text for t in base(text).tokens)

    fillers: set[str] = set()
    for lang, doc in docs.items():
        for f in _as_list(doc.get("fillers"), f"{lang}.fillers"):
            fillers.update(words(f))
    spelling: dict[str, tuple[str, ...]] = {}
    for lang, doc in docs.items():
        for word in _as_list(doc.get("fuzzy"), f"{lang}.fuzzy"):
            canon = words(word)
            for variant in _fuzzy_variants(canon[0]):
                spelling.setdefault(variant, canon)
        for key, value in (doc.get("spelling") or {}).items():
            k = words(str(key))
            if len(k) != 1:
                raise LexiconError(f"{lang}.spelling key {key!r} must be one word")
            spelling[k[0]] = tuple(w for w in words(str(value)) if w not in fillers)
    # Plural folding: a one-word means/person ("percocet") also matches its plural ("percocets").
    for lang, doc in docs.items():
        for cue in _as_list(doc.get("plural_fold"), f"{lang}.plural_fold"):
            for other in docs.values():
                for pattern in _as_list((other.get("cues") or {}).get(cue), cue):
                    if "{" in pattern or pattern.startswith("@"):
                        continue
                    for phrase in expand(pattern):
                        toks = words(phrase)
                        if len(toks) == 1 and toks[0].isalpha() and not toks[0].endswith("s"):
                            plural = words(toks[0] + "s")
                            if len(plural) == 1 and plural[0] not in spelling:
                                spelling[plural[0]] = toks
    # Replacements must already be canonical, or normalising twice would change the text.
    for key, value in list(spelling.items()):
        resolved: list[str] = []
        for w in value:
            resolved.extend(spelling.get(w, (w,)) if w != key else (w,))
        spelling[key] = tuple(resolved)

    spelled = Normalizer(
        Tables(
            leet=base.tables.leet,
            wildcards=base.tables.wildcards,
            emoji=base.tables.emoji,
            confusables=confusables,
            spelling=spelling,
            fillers=frozenset(fillers),
        )
    )
    joins: dict[tuple[str, str], str] = {}
    for lang, doc in docs.items():
        for key, value in (doc.get("joins") or {}).items():
            pair = tuple(t.text for t in spelled(str(key)).tokens)
            one = tuple(t.text for t in spelled(str(value)).tokens)
            if len(pair) != 2 or len(one) != 1:
                raise LexiconError(f"{lang}.joins: {key!r} must be two words and {value!r} one")
            joins[(pair[0], pair[1])] = one[0]
    tables = Tables(
        leet=base.tables.leet,
        wildcards=base.tables.wildcards,
        emoji=base.tables.emoji,
        confusables=confusables,
        spelling=spelling,
        fillers=frozenset(fillers),
        joins=joins,
    )
    phrase_norm = Normalizer(tables)

    # -- cues and rules -------------------------------------------------------------------
    cue_phrases: dict[str, set[str]] = {}
    rules: list[Rule] = []
    negators: set[str] = set()
    cancelled: set[str] = set()
    breakers: set[str] = set()
    owners: set[str] = set()
    window = 4
    for lang, doc in docs.items():
        for neg in _as_list(doc.get("negators"), f"{lang}.negators"):
            negators.update(phrase_norm(neg).text.split())
        for word in _as_list(doc.get("negation_cancelled_by"), f"{lang}.negation_cancelled_by"):
            cancelled.update(phrase_norm(word).text.split()[:1])
        for br in _as_list(doc.get("scope_breakers"), f"{lang}.scope_breakers"):
            breakers.update(phrase_norm(br).text.split())
        window = int(doc.get("negation_window", window))
        owners.update(_as_list(doc.get("negation_owners"), f"{lang}.negation_owners"))
        for name, phrases in (doc.get("cues") or {}).items():
            cue_phrases.setdefault(str(name), set()).update(_as_list(phrases, f"{lang}.cues.{name}"))
        for i, raw in enumerate(doc.get("rules") or []):
            rules.append(_parse_rule(lang, i, raw, cue_phrases))

    known = set(cue_phrases) | {r.anchor for r in rules}
    for name in owners:
        if name not in known:
            raise LexiconError(f"negation_owners refers to unknown cue {name!r}")
    for r in rules:
        for name in (*r.all, *r.any, *r.unless, *r.imminent_with):
            if name not in known:
                raise LexiconError(f"rule {r.id} refers to unknown cue {name!r}")

    expanded: dict[str, list[str]] = {}

    def cue_expansion(name: str, depth: int = 0) -> list[str]:
        if name in expanded:
            return expanded[name]
        if depth > 5:
            raise LexiconError(f"cue {name!r} refers to itself")
        out: list[str] = []
        for pattern in sorted(cue_phrases[name]):
            if pattern.startswith("@"):
                out.extend(cue_expansion(_known(pattern[1:]), depth + 1))
                continue
            pattern = _CUE_REF.sub(
                lambda m: "(" + "|".join(cue_expansion(_known(m.group(1)), depth + 1)) + ")", pattern
            )
            out.extend(expand(pattern))
        expanded[name] = out
        return out

    def _known(name: str) -> str:
        if name not in cue_phrases:
            raise LexiconError(f"unknown cue {name!r} in a pattern")
        return name

    automaton = ahocorasick.Automaton()
    entries: dict[str, tuple[int, set[str]]] = {}
    vocabulary: set[str] = set()
    for name in cue_phrases:
        for phrase in cue_expansion(name):
            toks = _phrase_tokens(phrase_norm, phrase)
            if not toks:
                continue
            vocabulary.update(t for t in toks if len(t) >= 4 and t.isalpha())
            key = " " + " ".join(toks) + " "
            entries.setdefault(key, (len(toks), set()))[1].add(name)
    for key, (n, names) in entries.items():
        automaton.add_word(key, (n, tuple(sorted(names)), len(key)))
    automaton.make_automaton()

    by_length: dict[int, list[str]] = {}
    for v in sorted(vocabulary):
        by_length.setdefault(len(v), []).append(v)
    final_tables = Tables(
        leet=tables.leet,
        wildcards=tables.wildcards,
        emoji=tables.emoji,
        confusables=confusables,
        spelling=spelling,
        fillers=tables.fillers,
        vocabulary={k: tuple(v) for k, v in by_length.items()},
        joins=joins,
    )
    by_anchor: dict[str, list[Rule]] = {}
    for r in rules:
        by_anchor.setdefault(r.anchor, []).append(r)
    return Lexicon(
        normalizer=Normalizer(final_tables),
        automaton=automaton,
        rules=tuple(rules),
        rules_by_anchor={k: tuple(v) for k, v in by_anchor.items()},
        negators=frozenset(negators),
        negation_cancelled_by=frozenset(cancelled),
        scope_breakers=frozenset(breakers),
        negation_window=window,
        topic_cues=frozenset(r.anchor for r in rules if r.topic),
        languages=languages,
        pattern_count=len(entries),
        negation_owners=frozenset(owners),
    )


def _phrase_tokens(norm: Normalizer, phrase: str) -> tuple[str, ...]:
    toks = []
    for t in norm(phrase).tokens:
        if t.text in BOUNDARIES:
            continue
        toks.append("." if t.text == END_MARK else match_token(t.text))
    return tuple(toks)


def match_token(text: str) -> str:
    """The form a token takes in the automaton: numbers become their size class."""
    if text[:1].isdigit() and _ORDINAL.fullmatch(text):
        return NUM_ORD
    if text.isdigit():
        if len(text) > 3:
            return NUM_LONG  # years and codes, not counts
        return NUM_MANY if int(text) >= MANY_THRESHOLD else NUM_FEW
    return text


def _within(rid: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise LexiconError(f"rule {rid}: within must be a whole number of words")
    return value


def _parse_rule(lang: str, index: int, raw: Any, cue_phrases: dict[str, set[str]]) -> Rule:
    if not isinstance(raw, dict):
        raise LexiconError(f"{lang}.rules[{index}] must be a mapping")
    rid = f"{lang}.{raw.get('id', index)}"
    category = raw.get("category")
    severity = raw.get("severity", Severity.HIGH.value)
    if category not in CATEGORIES:
        raise LexiconError(f"rule {rid}: category must be one of {CATEGORIES}")
    if severity not in SEVERITIES:
        raise LexiconError(f"rule {rid}: severity must be one of {SEVERITIES}")
    phrases = _as_list(raw.get("phrases"), f"rule {rid}.phrases")
    all_cues = tuple(_as_list(raw.get("all"), f"rule {rid}.all"))
    if phrases:
        anchor = rid
        cue_phrases.setdefault(anchor, set()).update(phrases)
    elif all_cues:
        anchor, all_cues = all_cues[0], all_cues[1:]
    else:
        raise LexiconError(f"rule {rid}: needs phrases or all")
    scope = raw.get("scope", "message")
    unless_scope = raw.get("unless_scope", "window")
    if scope not in SCOPES or unless_scope not in SCOPES:
        raise LexiconError(f"rule {rid}: scope must be one of {SCOPES}")
    return Rule(
        id=rid,
        category=category,
        severity=severity,
        anchor=anchor,
        all=all_cues,
        any=tuple(_as_list(raw.get("any"), f"rule {rid}.any")),
        unless=tuple(_as_list(raw.get("unless"), f"rule {rid}.unless")),
        imminent_with=tuple(_as_list(raw.get("imminent_with"), f"rule {rid}.imminent_with")),
        scope=scope,
        unless_scope=unless_scope,
        topic=bool(raw.get("topic", False)),
        within=_within(rid, raw.get("within", 0)),
        ordered=bool(raw.get("ordered", False)),
    )


_default_normalizer: Normalizer | None = None


def default_normalizer() -> Normalizer:
    """The normalizer built from every bundled lexicon; loaded once on first use. It lives here, not in
    ``normalize.py``, because it needs the lexicons: the normaliser itself knows nothing of them."""
    global _default_normalizer
    if _default_normalizer is None:
        _default_normalizer = load_lexicon().normalizer
    return _default_normalizer


def normalize(text: str) -> Normalized:
    return default_normalizer()(text)
