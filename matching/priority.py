"""Queue order as one number, so Redis keeps the queue sorted for free.

Lower scores are served first: severity first (imminent, then high, then none), a seeker put back
in the queue after a listener dropped ahead of others of the same severity, then the longest wait.
Scores stay below 2**53 so they are exact in Redis's doubles.
"""

from __future__ import annotations

from escalation.vocabulary import Severity, severity_rank

_TIER_WIDTH = 10**13  # wider than any ms timestamp until the year 2286
_TOP = max(s.rank for s in Severity)


def score(severity: str, queued_at_ms: int, *, requeued: bool = False) -> float:
    tier = 2 * (_TOP - severity_rank(severity)) + (0 if requeued else 1)
    return float(tier * _TIER_WIDTH + queued_at_ms)
