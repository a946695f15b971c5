from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clean(clean_state: None) -> None:
    """Every domain test starts from empty tables and an empty Redis database."""
