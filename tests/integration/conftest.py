from __future__ import annotations

import pytest

from tests.support import ServerProcess


@pytest.fixture(autouse=True)
def _clean(clean_state: None) -> None:
    """Every integration test starts from empty tables and an empty Redis database."""


@pytest.fixture
def two_servers(backends):
    """Two server processes on the same PostgreSQL and Redis."""
    servers = [ServerProcess(backends.server_env()).start() for _ in range(2)]
    yield servers
    for s in servers:
        s.stop()
