"""``GET /api/openapi.json`` describes the HTTP API that really runs.

schemathesis reads the served document and sends what it describes (and what it forbids) to a live
server: no answer may be a server error or stray from the document (status, content type, body
schema). A second test compares the document's operations with the routes the app registers, so a
route added without documenting it fails here.
"""

from __future__ import annotations

import asyncio

import aiohttp
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from server.app import create_app
from server.config import Settings
from server.edge.openapi import build_document
from tests.security.fuzzing import LogWatch
from tests.support import TEST_SECRET, ServerProcess

MAX_EXAMPLES = 40


def check_operations(base_url: str) -> list[str]:
    """Runs in a worker thread (schemathesis calls with ``requests``, which blocks).

    schemathesis' pytest integration (``from_fixture`` / ``parametrize``) does not run under pytest
    9 (it reads ``Function._nodeid``, which pytest removed), so each operation's hypothesis strategy
    is driven here directly, with the same checks ``call_and_validate`` runs by default.
    """
    schema = schemathesis.openapi.from_url(f"{base_url}/api/openapi.json")

    @schema.auth()
    class SeekerBearer:
        """``POST /api/logout`` needs a bearer token: a fresh seeker session for each case."""

        def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str:
            reply = requests.post(f"{base_url}/api/seekers", json={}, timeout=10)
            reply.raise_for_status()
            return str(reply.json()["token"])

        def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate()

        call()
        checked.append(operation.label)
    return checked


async def test_api_matches_its_document(fuzz_server: ServerProcess) -> None:
    # ~10 s for all operations
    logs = LogWatch(fuzz_server)
    checked = await asyncio.to_thread(check_operations, fuzz_server.base_url)
    documented = {f"{method.upper()} {path}" for path, ops in build_document()["paths"].items() for method in ops}
    # schemathesis may leave out the operation that serves the document it loaded (the test below covers it)
    assert documented - set(checked) <= {"GET /api/openapi.json"}, documented - set(checked)
    logs.assert_no_traceback()


async def test_document_is_served_and_lists_every_route(fuzz_server: ServerProcess) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(fuzz_server.base_url + "/api/openapi.json") as resp,
    ):
        assert resp.status == 200 and resp.content_type == "application/json"
        served = await resp.json()
    document = build_document()
    assert served == document and served["openapi"].startswith("3.1")
    documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}

    settings_ = Settings(database_url="postgresql://unused", redis_url="redis://unused", jwt_secret=TEST_SECRET)
    app = create_app(settings_)
    routed = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and route.method not in ("HEAD", "*")
        and not route.resource.canonical.startswith(("/socket.io", "/assets"))
        and route.resource.canonical not in ("/", "/listener", "/supervisor", "/widget.js")  # the browser apps
    }
    assert routed == documented, {"undocumented": routed - documented, "not routed": documented - routed}
    for (method, path), operation in (
        ((m.upper(), p), op) for p, ops in document["paths"].items() for m, op in ops.items()
    ):
        for status, response in operation["responses"].items():
            if int(status) >= 400 and "$ref" in response:
                assert response["$ref"].startswith("#/components/responses/"), (method, path, status)
