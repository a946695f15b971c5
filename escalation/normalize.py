"""Fold the many spellings of the same words into one token stream, keeping a map to the original.

People in distress type fast, misspell, stretch letters, use leetspeak and emoji; a few deliberately
dodge keyword filters (``k i l l``, ``su1c1de``, Cyrillic look-alikes, zero-width spaces). Lexicon
phrases go through this same pipeline, so both sides meet in one canonical form. Every output token
remembers the span of the original text it came from: the supervisor must see the seeker's own words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

BOUNDARY_STOP = "."
BOUNDARY_COMMA = ","
BOUNDARIES = frozenset({BOUNDARY_STOP, BOUNDARY_COMMA})

# A spaced or dotted letter must not run into a word character or a masking symbol ("o*a" is one
# word): otherwise a second pass over normalised text would split what the first pass kept whole.
_NOT_WORDISH = r"(?![\w@$!|*#€'’])"
_TOKEN = re.compile(
    rf"(?P<sp>(?<!\w)[a-z](?:\.[a-z]{_NOT_WORDISH})+\.(?!\w)"  # dotted with its closing dot: c.u.t.
    rf"|(?<!\w)[a-z](?:[./\-] ?[a-z]{_NOT_WORDISH})+"  # letters dotted apart: k.m.s, s/h
    rf"|(?<!\w)[a-z](?: {{1,2}}[a-z]{_NOT_WORDISH}){{2,}})"  # letters spaced apart: k i l l
    r"|(?P<w>[\w@$!|*#€'’]+)"
    r"|(?P<stop>[.?;]+)"
    r"|(?P<comma>[,:]+)"
)
_NUMBER = re.compile(r"[$€]?(\d+)")
_NUMBER_UNIT = re.compile(r"(\d+)([^\W\d_]+)")
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_STRETCH = re.compile(r"([^\W\d_])\1+")
_EDGE_STRIP = "!|*#_'’@$€"
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class Token:
    """One canonical word (or a clause boundary) and the original span it stands for."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    tokens: tuple[Token, ...]

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Original character span covered by tokens first..last (inclusive)."""
        return self.tokens[first].start, self.tokens[last].end


@dataclass(frozen=True, slots=True)
class Tables:
    """The data the pipeline folds with; built by lexicon.py from the lexicon files."""

    leet: Mapping[str, str] = field(default_factory=dict)
    wildcards: str = "*#_"
    emoji: Mapping[str, str] = field(default_factory=dict)
    confusables: Mapping[str, str] = field(default_factory=dict)
    spelling: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fillers: frozenset[str] = frozenset()
    vocabulary: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    # Two canonical words typed apart that mean one ("my self" -> "myself", "un alive" -> "unalive").
    joins: Mapping[tuple[str, str], str] = field(default_factory=dict)


def _fold_once(ch: str, confusables: Mapping[str, str]) -> str:
    if ch in confusables:
        return confusables[ch]
    if ch in "\t\n\r\f\v":
        return " "
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return ""
    if unicodedata.category(ch) == "Zs":
        return " "
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", ch).casefold())
    out = []
    for c in unicodedata.normalize("NFD", folded):
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf", "Cc"):
            continue
        out.append(confusables.get(c, c))
    return "".join(out)


class Normalizer:
    """Callable pipeline; immutable after construction, so one instance serves every thread."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self._chars: dict[str, str] = {}
        leet_chars = "".join(k for k in tables.leet if not k.isdigit())
        self._leet_symbols = frozenset(leet_chars)
        self._leet_any = frozenset(tables.leet) | frozenset(tables.wildcards)
        self._wild = frozenset(tables.wildcards)
        self._wild_cache: dict[str, str] = {}
        self._word_cache: dict[str, tuple[tuple[str, ...], bool]] = {}
        self._join_firsts = frozenset(a for a, _ in tables.joins)

    # -- character stage -------------------------------------------------------------------
    def _char(self, ch: str) -> str:
        cached = self._chars.get(ch)
        if cached is not None:
            return cached
        if ch in self.tables.emoji:
            result = f" {self.tables.emoji[ch]} "
        else:
            result = _fold_once(ch, self.tables.confusables)
            for _ in range(4):  # casefold/NFKC are not always stable in one step
                again = "".join(_fold_once(c, self.tables.confusables) for c in result)
                if again == result:
                    break
                result = again
        if len(self._chars) < 200_000:
            self._chars[ch] = result
        return result

    def _fold(self, text: str) -> tuple[str, list[int] | None]:
        if text.isascii() and text.isprintable():
            return text.lower(), None
        chars: list[str] = []
        src: list[int] = []
        for i, ch in enumerate(text):
            rep = self._char(ch)
            if rep:
                chars.append(rep)
                src.extend([i] * len(rep))
        return "".join(chars), src

    def fold_text(self, text: str) -> str:
        """The character stage alone (case, look-alikes, zero-width, risk emoji as words): the
        trained model reads this natural text, which keeps what the token stage folds away."""
        return self._fold(text)[0]

    # -- token stage -----------------------------------------------------------------------
    def _resolve_wildcard(self, word: str) -> str:
        cached = self._wild_cache.get(word)
        if cached is not None:
            return cached
        core = word.strip("".join(self._wild))
        result = word
        if core and any(c not in self._wild for c in core):
            pattern = re.compile("".join("." if c in self._wild else re.escape(c) for c in word))
            found = [v for v in self.tables.vocabulary.get(len(word), ()) if pattern.fullmatch(v)]
            if len(found) == 1:
                result = found[0]
        if len(self._wild_cache) < 50_000:
            self._wild_cache[word] = result
        return result

    def _word(self, raw: str) -> tuple[tuple[str, ...], bool]:
        """Canonical tokens for one raw word, and whether it ended a sentence ("help!").

        Chat vocabulary is small and repetitive, so results are memoised per raw word: this is most
        of what keeps normalisation cheap on the hot path.
        """
        cached = self._word_cache.get(raw)
        if cached is None:
            words, ended = self._word_uncached(raw)
            cached = (tuple(words), ended)
            if len(self._word_cache) < 200_000:
                self._word_cache[raw] = cached
        return cached

    def _word_uncached(self, raw: str) -> tuple[list[str], bool]:
        raw = raw.replace("'", "").replace("’", "")
        ended = raw.endswith("!")
        if raw[:1] in "$@" and len(raw) > 1 and raw[1].isalpha():
            word = raw.rstrip(_EDGE_STRIP)  # "$h", "@lone": a symbol standing for the first letter
        else:
            word = raw.strip(_EDGE_STRIP)
        if not word:
            return [], "!" in raw
        split = self._number(word)
        if split is not None:
            return split, ended
        if _LETTER.search(word) and any(c in self._leet_any for c in word):
            word = "".join(self.tables.leet.get(c, c) for c in word)
            split = self._number(word)
            if split is not None:
                return split, ended
        return self._finish(word), ended

    def _number(self, word: str) -> list[str] | None:
        """Counts stay numbers ("40"), number + unit splits ("20mg"), ordinals stay whole ("3rd")."""
        m = _NUMBER.fullmatch(word)
        if m:
            return [m.group(1)]
        m = _NUMBER_UNIT.fullmatch(word)
        if m:
            if m.group(2) in _ORDINAL_SUFFIXES:
                return [word]
            return [m.group(1), *self._finish(m.group(2))]
        return None

    def _finish(self, word: str) -> list[str]:
        word = _STRETCH.sub(r"\1", word)
        if any(c in self._wild for c in word):
            word = self._resolve_wildcard(word)
        rep = self.tables.spelling.get(word)
        words = list(rep) if rep is not None else [word]
        return [w for w in words if w not in self.tables.fillers]

    def __call__(self, text: str) -> Normalized:
        folded, src = self._fold(text)
        tokens: list[Token] = []
        last = ""

        def emit(word: str, a: int, b: int) -> None:
            nonlocal last
            start = a if src is None else src[a]
            end = b if src is None else src[b - 1] + 1
            if word in BOUNDARIES:
                if not tokens or last in BOUNDARIES:
                    if tokens and word == BOUNDARY_STOP and last == BOUNDARY_COMMA:
                        tokens[-1] = Token(word, tokens[-1].start, end)
                        last = word
                    return
            elif word == last:
                return
            tokens.append(Token(word, start, end))
            last = word

        for m in _TOKEN.finditer(folded):
            kind = m.lastgroup
            a, b = m.span()
            if kind == "sp":
                letters = "".join(c for c in m.group() if c.isalpha())
                for w in self._finish(letters):
                    emit(w, a, b)
            elif kind == "w":
                words, ended = self._word(m.group())
                for w in words:
                    emit(w, a, b)
                if ended:
                    emit(BOUNDARY_STOP, b - 1, b)
            elif kind == "stop":
                emit(BOUNDARY_STOP, a, b)
            else:
                emit(BOUNDARY_COMMA, a, b)
        merged = self._merge_spaced(tokens, text)
        if self.tables.joins:
            merged = self._join(merged)
        return Normalized(text, merged)

    def _join(self, tokens: tuple[Token, ...]) -> tuple[Token, ...]:
        """Join word pairs listed in the ``joins`` table, keeping the span of both."""
        joins = self.tables.joins
        firsts = self._join_firsts
        if not any(t.text in firsts for t in tokens):
            return tokens
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            t = tokens[i]
            if t.text in firsts and i + 1 < len(tokens):
                joined = joins.get((t.text, tokens[i + 1].text))
                if joined is not None:
                    out.append(Token(joined, t.start, tokens[i + 1].end))
                    i += 2
                    continue
            out.append(t)
            i += 1
        return tuple(out)

    def _merge_spaced(self, tokens: list[Token], text: str) -> tuple[Token, ...]:
        """Join runs of three or more single letters ("k i l l", "c u t t i n g") into one word."""
        if sum(1 for t in tokens if len(t.text) == 1) < 3:
            return tuple(tokens)
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            j = i
            while j < len(tokens) and len(tokens[j].text) == 1 and tokens[j].text.isalpha():
                j += 1
            if j - i >= 3:
                words = self._finish("".join(t.text for t in tokens[i:j]))
                for w in words:
                    if not out or out[-1].text != w:
                        out.append(Token(w, tokens[i].start, tokens[j - 1].end))
                i = j
            else:
                if not out or out[-1].text != tokens[i].text:
                    out.append(tokens[i])
                i += 1
        return tuple(out)
