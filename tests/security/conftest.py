"""Security tests: fuzzing, the OpenAPI contract, floods and log privacy, on real servers.

The fuzzing server raises every rate limit, or the fuzzers would mostly meet ``rate_limited`` (a
valid answer, but it hides the handlers behind it); the flood tests start their own server with
the limits as shipped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Backends
from tests.support import ServerProcess

FUZZ_LIMITS = {
    "RATE_LIMIT_EVENTS_PER_SOCKET": "100000/second",
    "RATE_LIMIT_CHAT_REQUESTS_PER_SEEKER": "100000/minute",
    "RATE_LIMIT_CHAT_REQUESTS_PER_ADDRESS": "100000/minute",
    "RATE_LIMIT_SEEKER_SESSIONS_PER_ADDRESS": "100000/minute",
    "RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME_ADDRESS": "100000/minute",
    "RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME": "100000/minute",
    "RATE_LIMIT_LOGINS_PER_ADDRESS": "100000/minute",
    "RATE_LIMIT_CONNECTIONS_PER_ADDRESS": "100000/minute",
}


@pytest.fixture(autouse=True)
def _clean(clean_state: None) -> None:
    """Every security test starts from empty tables and an empty Redis database."""


@pytest.fixture(scope="session")
def fuzz_server(backends: Backends) -> Iterator[ServerProcess]:
    """One server for all fuzzers: its own log file, so a traceback is ours to find."""
    server = ServerProcess(backends.server_env(**FUZZ_LIMITS)).start()
    server.env = backends.server_env(**FUZZ_LIMITS)
    yield server
    server.stop()
