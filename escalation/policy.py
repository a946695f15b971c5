"""When a detector hit becomes a new escalation: once per category, and again only when severity rises.

Supervisors stop looking at a channel that repeats itself, so a conversation that keeps talking about
the same crisis must not page them on every message; a rise from "high" to "imminent" always does.
"""

from __future__ import annotations

from collections.abc import Iterable

from escalation.detector import Assessment
from escalation.vocabulary import severity_rank


def should_escalate(previous: Iterable[tuple[str | None, str]], new: Assessment) -> bool:
    """``previous`` holds (category, severity) of the conversation's unresolved escalations."""
    if not new.escalate:
        return False
    unresolved = list(previous)
    if not unresolved:
        return True
    rank = severity_rank(new.severity)
    return all(rank > severity_rank(severity) for _, severity in unresolved)
