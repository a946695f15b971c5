"""Supervisors' decisions as training rows: how the risk model learns from the floor.

A resolved escalation says what the words really were. ``false_alarm`` on a detector escalation is
a safe conversation the model got wrong; ``de_escalated``, ``referred`` and ``emergency_services``
confirm a crisis; a listener's own escalation is a crisis the detector did not raise (the most
valuable row of all). ``other`` says nothing certain and is left out. Each row holds the seeker's
window as the detector saw it, in the training schema of ``escalation/data``, under a ``floor-``
id, so ``python -m escalation train --extra`` treats the floor as one more writer.

The file holds seekers' words: it is written for the operator alone (mode 600), never logged,
and belongs where transcripts belong (see docs/detector.md).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

from server.store import escalations
from server.vocabulary import NO_CATEGORY, NO_SEVERITY, EscalationSource, Outcome

CONFIRMED = frozenset({Outcome.DE_ESCALATED, Outcome.REFERRED, Outcome.EMERGENCY_SERVICES})


def label_for(row: dict[str, Any]) -> dict[str, Any] | None:
    """The training row for one resolved escalation, or None when it teaches nothing certain."""
    if not row["messages"]:
        return None
    outcome, source = row["outcome"], row["source"]
    if outcome == Outcome.FALSE_ALARM:
        if source != EscalationSource.DETECTOR:
            return None  # a listener's false alarm is a person's judgement, not the model's error
        escalate, category, severity = False, NO_CATEGORY, NO_SEVERITY
    elif outcome in CONFIRMED and row["category"]:
        escalate, category, severity = True, row["category"], row["severity"]
    else:
        return None
    return {
        "id": f"floor-{row['id']}",
        "messages": row["messages"],
        "escalate": escalate,
        "category": category,
        "severity": severity,
        "lang": row["language"],
        "note": f"{source} escalation resolved as {outcome}",
    }


async def export_labels(conn: asyncpg.Connection, out: Path, *, since: datetime | None, window: int) -> int:
    rows = await escalations.resolved_for_training(conn, since, window)
    labels = [label for label in map(label_for, rows) if label is not None]
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for label in labels:
            f.write(json.dumps(label, ensure_ascii=False) + "\n")
    return len(labels)
