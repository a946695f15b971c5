"""Property-based fuzzing of every HTTP route: any method, body, content type and Authorization
header gets a documented status with an ``{"error": {"code", "message"}}`` body, never a 5xx.

The statuses a documented route may answer are read from ``server/edge/openapi.py``, so the document
and the server are checked against each other here too (schemathesis does the same from the
schema's side in test_openapi.py).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson
from hypothesis import strategies as st

from server.edge.openapi import build_document
from server.errors import CODES, HTTP_STATUS
from tests.conftest import Backends
from tests.security.fuzzing import LogWatch, assert_serving, edge_strings, fuzz, json_values
from tests.support import ServerProcess, create_user, login, seeker_token

DOCUMENT = build_document()
DOCUMENTED: dict[tuple[str, str], set[int]] = {
    (method.upper(), path): {int(status) for status in operation["responses"]}
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")
ODD_PATHS = (
    "/api",
    "/api/",
    "/api/seekers/",
    "/api/login/x",
    "//healthz",
    "/assets/../server/config.py",
    "/assets/%2e%2e/%2e%2e/etc/passwd",
    "/assets/..%2f..%2fpyproject.toml",
    "/api/openapi.json/..%2f..%2f",
    "/socket.io/",
    "/metrics?name[]=x",
)
USERNAME, PASSWORD = "fuzz-wren", "a long and right password"
MAX_EXAMPLES = 500


def as_json(value: Any) -> bytes:
    """The standard library's encoder: unlike orjson it writes integers of any size, as clients may."""
    return json.dumps(value, ensure_ascii=False).encode()


paths = st.one_of(
    st.sampled_from(sorted({path for _, path in DOCUMENTED})),
    st.sampled_from(sorted({path for _, path in DOCUMENTED})),
    st.sampled_from(ODD_PATHS),
    st.text(max_size=20).map(lambda tail: "/fuzz/" + quote(tail, safe="")),
)
credential_words = st.one_of(st.sampled_from((USERNAME, PASSWORD, "en", "es")), edge_strings())
structured = st.fixed_dictionaries(
    {},
    optional={
        "username": st.one_of(credential_words, json_values),
        "password": st.one_of(credential_words, json_values),
        "language": st.one_of(credential_words, json_values),
    },
)
bodies = st.one_of(
    st.none(),
    structured.map(as_json),
    structured.map(as_json),
    json_values.map(as_json),
    st.binary(max_size=64),
    st.integers(min_value=65_537, max_value=70_000).map(lambda n: b"{" * n),  # over the 64 KiB body limit
)
content_types = st.sampled_from(
    (None, "application/json", "application/json; charset=latin-1", "text/plain", "multipart/form-data")
)
header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
# "valid-*" stand for a real token, filled in when the request is made
authorizations = st.one_of(
    st.none(),
    st.sampled_from(("valid-seeker", "valid-staff", "Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "bearer x.y.z")),
    header_text.map(lambda text: "Bearer " + text),
    header_text,
)
routes = st.one_of(
    st.sampled_from(sorted(DOCUMENTED)),
    st.sampled_from(sorted(DOCUMENTED)),
    st.sampled_from(sorted(DOCUMENTED)),
    st.tuples(st.sampled_from(METHODS), paths),
)
requests = st.tuples(routes, bodies, content_types, authorizations).map(lambda r: (*r[0], *r[1:]))


async def test_any_request_gets_a_documented_answer(fuzz_server: ServerProcess, backends: Backends) -> None:
    # ~5 s
    logs = LogWatch(fuzz_server)
    base = fuzz_server.base_url
    await create_user(backends.database_url, USERNAME, password=PASSWORD)
    tokens = {"valid-seeker": await seeker_token(base), "valid-staff": await login(base, USERNAME, PASSWORD)}
    statuses: Counter[int] = Counter()

    async with aiohttp.ClientSession() as http:

        async def check(request: tuple[str, str, bytes | None, str | None, str | None]) -> None:
            method, path, body, content_type, authorization = request
            headers = {}
            if content_type is not None:
                headers["Content-Type"] = content_type
            if authorization is not None:
                headers["Authorization"] = (
                    f"Bearer {tokens[authorization]}" if authorization in tokens else authorization
                )
            async with http.request(method, base + path, data=body, headers=headers) as resp:
                raw = await resp.read()
                status = resp.status
            statuses[status] += 1
            context = (method, path, body[:200] if body else body, headers, status, raw[:300])
            assert status < 500, context
            documented = DOCUMENTED.get((method, path))
            if documented is not None:
                assert status in documented, context
            elif any(p == path for _, p in DOCUMENTED) and method != "HEAD":
                assert status == 405, context  # a route that exists, with another method
            # /socket.io/ belongs to python-engineio, which answers its own errors as a bare JSON string
            if status >= 400 and method != "HEAD" and not path.startswith("/socket.io"):
                body = orjson.loads(raw)
                assert isinstance(body, dict) and isinstance(body.get("error"), dict), context
                error = body["error"]
                assert set(error) == {"code", "message"} and error["code"] in CODES, context
                assert HTTP_STATUS[error["code"]] == status or status in (405, 413, 415), context
            assert b"DATABASE_URL" not in raw and b"root:x:" not in raw and b"[project]" not in raw, context

        await fuzz(requests, check, max_examples=MAX_EXAMPLES)
    print(f"statuses: {dict(sorted(statuses.items()))}")
    await assert_serving(fuzz_server)
    logs.assert_no_traceback()
    assert statuses[200] and statuses[201] and statuses[400] and statuses[401], statuses


async def test_login_with_a_nul_in_the_username_is_invalid_not_a_server_error(fuzz_server: ServerProcess) -> None:
    """Found by the fuzzer: PostgreSQL text cannot hold NUL, so the lookup itself failed (503 and a
    traceback) — a client mistake must be a 400 (or a plain 401), never a server error."""
    logs = LogWatch(fuzz_server)
    async with (
        aiohttp.ClientSession() as http,
        http.post(fuzz_server.base_url + "/api/login", json={"username": "a\x00b", "password": "pw"}) as resp,
    ):
        status, body = resp.status, await resp.json(content_type=None)
    assert status in (400, 401), (status, body)
    logs.assert_no_traceback()
