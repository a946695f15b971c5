from __future__ import annotations

import pytest

from escalation.detector import Detector


@pytest.fixture(scope="session")
def detector() -> Detector:
    """The lexicon rules alone: what the rule tests pin down, phrase by phrase."""
    return Detector.load(model=False)


@pytest.fixture(scope="session")
def full_detector() -> Detector:
    """Rules and the trained risk model together, as the service runs them."""
    return Detector.load()
