"""When to call for help: text in, assessment out. Normalisation, lexicons (data files), the rules,
the trained risk model, the detector worker process, the escalation policy and crisis resources.

Imports nothing from ``server`` or ``matching``. The names below load on first use, so importing
``escalation.vocabulary`` (the queue does) does not load the detector and its model.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Assessment": "escalation.detector",
    "Detector": "escalation.detector",
    "Evidence": "escalation.detector",
    "severity_rank": "escalation.vocabulary",
    "should_escalate": "escalation.policy",
    "load_resources": "escalation.resources",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'escalation' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
