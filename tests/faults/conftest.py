from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.support import PrivateRedis


@pytest.fixture(autouse=True)
def _clean(clean_state: None) -> None:
    """Every fault scenario starts from empty tables and an empty Redis database."""


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    r = PrivateRedis()
    r.start()
    yield r
    r.stop()
    shutil.rmtree(r.dir, ignore_errors=True)
