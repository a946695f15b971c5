"""What the trained risk model reads: two views of each message and their n-grams.

The rules' token stream folds spelling, stems and drops filler words, which is right for phrase
matching but throws away what a model learns from ("tonite", "lol", punctuation, word endings).
So the model reads two views: *natural text* (the normaliser's character stage, then spaced and
hyphenated letters rejoined and leetspeak inside words decoded) for character n-grams, and the
rules' canonical tokens for word n-grams. Every word n-gram keeps the original span it came from,
so the words that drove a score can be shown to a supervisor as the seeker wrote them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from escalation.lexicon import LEXICON_DIR
from escalation.normalize import BOUNDARIES, Normalizer

CHAR_NGRAMS = (2, 5)
MESSAGE_SEPARATOR = " \u00b6 "  # between the messages of one window; never typed by a seeker

# Three or more single letters kept apart by spaces, dots, dashes or stars: "k i l l", "s-u-i-c-i-d-e".
_SPACED = re.compile(r"(?<![^\W\d_])[^\W\d_](?:[ .\-*_]{1,2}[^\W\d_](?![^\W\d_])){2,}")
_SPACED_GAP = re.compile(r"[ .\-*_]")
_WORDISH = re.compile(r"[\w@$!|€]+")
_NUMBER_UNIT = re.compile(r"[$€]?\d+[^\W\d_]{0,3}")  # 40, 20mg, 3rd, $50: numbers, not leetspeak
_STRETCH = re.compile(r"([^\W\d_])\1{2,}")  # "sooooo" -> "soo": keeps "too", "sorry"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class WordFeature:
    """A word n-gram of one message and the original characters it stands for."""

    name: str
    message_index: int
    start: int
    end: int
    position: int  # the first token's place in its message (sentence boundaries count, so runs break there)
    length: int  # tokens: 1 or 2


class Views:
    """Turns messages into the model's inputs; immutable, so one instance serves every caller."""

    def __init__(self, normalizer: Normalizer) -> None:
        self._normalizer = normalizer
        self._leet: Mapping[str, str] = normalizer.tables.leet

    def natural(self, text: str) -> str:
        folded = self._normalizer.fold_text(text)
        folded = _SPACED.sub(lambda m: _SPACED_GAP.sub("", m.group()), folded)
        folded = _WORDISH.sub(self._decode_leet, folded)
        folded = _STRETCH.sub(r"\1\1", folded)
        return _SPACES.sub(" ", folded).strip()

    def _decode_leet(self, m: re.Match[str]) -> str:
        word = m.group()
        if word.isalpha() or _NUMBER_UNIT.fullmatch(word) or not any(c.isalpha() for c in word):
            return word
        return "".join(self._leet.get(c, c) for c in word)

    def word_features(self, messages: Sequence[str]) -> list[WordFeature]:
        """Unigrams and bigrams of canonical tokens; bigrams never cross a sentence or a message."""
        out: list[WordFeature] = []
        for mi, text in enumerate(messages):
            previous = None
            for position, token in enumerate(self._normalizer(text).tokens):
                if token.text in BOUNDARIES:
                    previous = None
                    continue
                out.append(WordFeature(token.text, mi, token.start, token.end, position, 1))
                if previous is not None:
                    name = f"{previous.text} {token.text}"
                    out.append(WordFeature(name, mi, previous.start, token.end, position - 1, 2))
                previous = token
        return out


def window_text(naturals: Sequence[str]) -> str:
    """A window's messages, already in natural text, as the one text its character n-grams come from."""
    return MESSAGE_SEPARATOR.join(naturals)


def char_ngrams(natural_text: str) -> Iterator[str]:
    """Character n-grams inside word boundaries, each word padded with a space on both sides."""
    low, high = CHAR_NGRAMS
    for word in natural_text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, min(high, size) + 1):
            for i in range(size - n + 1):
                yield padded[i : i + n]


def inputs_key() -> str:
    """What a trained model's inputs depend on: the lexicon data (spellings, fillers, look-alikes)
    and the code that turns text into views. A model trained under another key must be retrained."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*LEXICON_DIR.iterdir(), here / "normalize.py", here / "features.py"]):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:24]
