"""Context rules that keep a risk phrase from firing when the words around it change its meaning.

Each rule is explicit and data-driven (the words live in the lexicon files):

* idioms and titles: a hit that overlaps an ``IDIOM`` span ("this exam is killing me", "Suicide Squad")
  is dropped;
* masks: a cue named ``NOT_X`` drops overlapping hits of cue ``X`` ("10 min" is not a pill count);
* negation with scope: a negator shortly before a hit, with no clause boundary, contrast or new subject
  in between, cancels it ("I'm not going to hurt myself"), unless it is itself cancelled
  ("I can't stop thinking about…");
* distant past and recovery: a message that places the risk in the past ("used to", "3 years clean")
  and says nothing current ("again", "last night") is silenced;
* study and media frames: bare topic words ("suicide", "self harm") are silenced in a message about a
  class, a book, a film or training;
* titles: a hit that starts right after a ``TITLE_LEAD`` word ("song", "movie", "called"), at most one
  word between, is the name of a work, not the seeker's words ("that song i want to die by…").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from escalation.lexicon import Lexicon
from escalation.normalize import BOUNDARIES

CONTEXT_CUES = frozenset({"IDIOM", "PAST", "CURRENT", "FRAME", "HYPERBOLE"})
_MASK_PREFIX = "NOT_"
TITLE_LEAD = "TITLE_LEAD"
TITLE_GAP = 1  # words allowed between the title word and the hit ("song i want to die")


@dataclass(frozen=True, slots=True)
class Hit:
    """A cue found in one message: token range, sentence number and original character span."""

    cue: str
    first: int
    last: int
    sentence: int
    start: int
    end: int


def _overlaps(a: Hit, b: Hit) -> bool:
    return a.first <= b.last and b.first <= a.last


def is_negated(hit: Hit, words: Sequence[str], lexicon: Lexicon, owned: frozenset[int] = frozenset()) -> bool:
    """A negator within reach before the hit, in the same clause, negates it.

    A negator inside a phrase that owns it (``owned`` token positions: "no point in living", "would
    not mind if") is part of that phrase and negates nothing after it.
    """
    j = hit.first - 1
    for _ in range(lexicon.negation_window):
        if j < 0:
            return False
        word = words[j]
        if word in BOUNDARIES or word in lexicon.scope_breakers:
            return False
        if word in lexicon.negators and j not in owned:
            following = words[j + 1] if j + 1 < len(words) else ""
            return following not in lexicon.negation_cancelled_by
        j -= 1
    return False


def apply_context(hits: list[Hit], words: Sequence[str], lexicon: Lexicon) -> tuple[Hit, ...]:
    idioms = [h for h in hits if h.cue == "IDIOM"]
    masks = [h for h in hits if h.cue.startswith(_MASK_PREFIX)]
    titles = [h for h in hits if h.cue == TITLE_LEAD]
    owned: frozenset[int] = frozenset()
    if lexicon.negation_owners:
        owned = frozenset(i for h in hits if h.cue in lexicon.negation_owners for i in range(h.first, h.last + 1))
    kept: list[Hit] = []
    for h in hits:
        if h.cue in ("IDIOM", TITLE_LEAD) or h.cue.startswith(_MASK_PREFIX):
            continue
        if any(_overlaps(h, i) for i in idioms):
            continue
        if h.cue not in CONTEXT_CUES and any(0 < h.first - t.last <= TITLE_GAP + 1 for t in titles):
            continue
        if any(m.cue[len(_MASK_PREFIX) :] == h.cue and _overlaps(h, m) for m in masks):
            continue
        if h.cue not in CONTEXT_CUES and is_negated(h, words, lexicon, owned):
            continue
        kept.append(h)
    cues = {h.cue for h in kept}
    if "PAST" in cues and "CURRENT" not in cues:
        kept = [h for h in kept if h.cue in CONTEXT_CUES]
    if "FRAME" in cues:
        kept = [h for h in kept if h.cue not in lexicon.topic_cues]
    return tuple(kept)
