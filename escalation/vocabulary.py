"""The detector's vocabulary: which crisis (category) and how urgent (severity), spelled once.

Every other spelling — the lexicon's validation, the payloads supervisors send, the queue's order,
PostgreSQL's ``check`` constraints (tested against these: ``tests/test_vocabulary.py``) — refers to
these enums. ``escalation/`` owns them because it is what produces them; the server imports them
from here (``server/vocabulary.py`` re-exports them) and ``escalation/`` imports nothing from the server.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """Which kind of crisis. The order is the risk model's output order (``escalation/model.py``)."""

    SUICIDE = "suicide"
    SELF_HARM = "self_harm"
    HARM_TO_OTHERS = "harm_to_others"
    ABUSE = "abuse"
    OVERDOSE = "overdose"


class Severity(StrEnum):
    """How urgent a risk is; every escalation has one, in rising order."""

    HIGH = "high"
    IMMINENT = "imminent"

    @property
    def rank(self) -> int:
        return _RANK[self]


# A conversation's (and a queue entry's) severity before any risk was seen: below every Severity.
NO_SEVERITY = "none"
# The training data's category (and severity) for a window that shows no crisis (docs/detector.md).
NO_CATEGORY = "none"
_RANK = {Severity.HIGH: 1, Severity.IMMINENT: 2}


def severity_rank(severity: str | None) -> int:
    """0 for no risk (``None``, ``"none"``) or an unknown spelling; then 1, 2 in rising urgency."""
    if severity is None:
        return 0
    try:
        return Severity(severity).rank
    except ValueError:
        return 0


def severity_of_rank(rank: int) -> str:
    """The inverse of ``severity_rank`` (``NO_SEVERITY`` for 0)."""
    for severity, r in _RANK.items():
        if r == rank:
            return severity
    return NO_SEVERITY


def sql_severity_rank(expression: str) -> str:
    """``severity_rank`` as a SQL expression over ``expression`` (a column or a parameter)."""
    whens = " ".join(f"when '{s.value}' then {s.rank}" for s in Severity)
    return f"(case {expression} {whens} else 0 end)"
