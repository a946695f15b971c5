"""The HTTP API as an OpenAPI 3.1 document, served at ``GET /api/openapi.json``.

Written by hand from the routes in ``server/edge/http_api.py`` (and PROTOCOL.md), not generated: the
document is a contract for embedders and the input of the schemathesis test in
``tests/security/test_openapi.py``, which fails when a route answers something not written here.
The only per-deployment value in it is the list of seeker languages; it is rendered once per
process and served as bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import orjson
from aiohttp import web

from server.vocabulary import STAFF_ROLES

_JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return {"$ref": f"#/components/responses/{description}"}


_ERROR_RESPONSES: dict[str, dict[str, Any]] = {
    "Invalid": _json(_ref("Error"), "The body is not a JSON object, or a field is missing or out of bounds."),
    "Unauthorized": _json(_ref("Error"), "Wrong or missing credentials (`unauthorized`)."),
    "TooLarge": _json(_ref("Error"), "The body is over 64 KiB (`invalid`)."),
    "CrossSite": _json(_ref("Error"), "The `Origin` is neither this service's nor in `ALLOWED_ORIGINS` (`forbidden`)."),
    "NotJson": _json(_ref("Error"), "The body is not `application/json` (`invalid`)."),
    "RateLimited": _json(_ref("Error"), "Too many requests from this address or for this username (`rate_limited`)."),
    "Unavailable": _json(_ref("Error"), "A backing service is down; nothing was stored, retry later (`unavailable`)."),
}

_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "description": "Every HTTP error body.",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": [
                            "invalid",
                            "unauthorized",
                            "forbidden",
                            "not_found",
                            "conflict",
                            "rate_limited",
                            "unavailable",
                        ],
                    },
                    "message": {"type": "string"},
                },
            }
        },
    },
    "NotReady": {
        "type": "object",
        "description": "An error body that also names the backing services that did not answer.",
        "required": ["error", "failed"],
        "properties": {
            "error": {"$ref": "#/components/schemas/Error/properties/error"},
            "failed": {"type": "array", "items": {"type": "string", "enum": ["postgres", "redis"]}},
        },
    },
    "Status": {
        "type": "object",
        "required": ["status"],
        "properties": {"status": {"const": "ok"}},
    },
    "Choice": {
        "type": "object",
        "required": ["id", "label"],
        "properties": {"id": {"type": "string"}, "label": {"type": "string"}},
    },
    "SeekerSession": {
        "type": "object",
        "required": ["token", "seeker_id"],
        "properties": {
            "token": {"type": "string", "description": "HS256 JWT for `auth: {token}` on the `/seeker` namespace."},
            "seeker_id": {"type": "string", "format": "uuid"},
        },
    },
    "Credentials": {
        "type": "object",
        "required": ["username", "password"],
        "properties": {
            "username": {"type": "string", "minLength": 1, "maxLength": 128, "examples": ["alice"]},
            "password": {"type": "string", "minLength": 1, "maxLength": 1024, "examples": ["correct horse battery"]},
        },
    },
    "StaffSession": {
        "type": "object",
        "required": ["token", "role", "user_id", "display_name"],
        "properties": {
            "token": {"type": "string"},
            "role": {"type": "string", "enum": [r.value for r in STAFF_ROLES]},
            "user_id": {"type": "string", "format": "uuid"},
            "display_name": {"type": "string"},
        },
    },
}


def _operation(
    operation_id: str,
    summary: str,
    responses: dict[str, Any],
    *,
    body: dict[str, Any] | None = None,
    body_required: bool = False,
    security: list[dict[str, list[str]]] | None = None,
) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary, "responses": responses}
    if body is not None:
        operation["requestBody"] = {"required": body_required, "content": {_JSON: {"schema": body}}}
    if security is not None:
        operation["security"] = security
    return operation


def _new_seeker(languages: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "language": {
                "type": "string",
                "enum": list(languages),
                "description": "One of the ids from `GET /api/languages`; default `en`.",
            }
        },
    }


def build_document(languages: Sequence[str] = ("en", "es")) -> dict[str, Any]:
    """The document as a dict, so tests can compare it with the routes the app really has.

    ``languages`` are this deployment's (``LANGUAGES``): the only per-deployment part, written as an
    enum so that a request the document calls valid is one the server accepts.
    """
    schemas = {**_SCHEMAS, "NewSeeker": _new_seeker(languages)}
    paths: dict[str, Any] = {
        "/api/seekers": {
            "post": _operation(
                "createSeeker",
                "An anonymous seeker identity; the widget keeps the token to resume later.",
                {
                    "201": _json(_ref("SeekerSession"), "A new seeker and its token."),
                    "400": _error("Invalid"),
                    "403": _error("CrossSite"),
                    "413": _error("TooLarge"),
                    "415": _error("NotJson"),
                    "429": _error("RateLimited"),
                    "503": _error("Unavailable"),
                },
                body=_ref("NewSeeker"),
            )
        },
        "/api/login": {
            "post": _operation(
                "login",
                "A staff token (listener, supervisor or admin).",
                {
                    "200": _json(_ref("StaffSession"), "The credentials are right."),
                    "400": _error("Invalid"),
                    "401": _error("Unauthorized"),
                    "403": _error("CrossSite"),
                    "413": _error("TooLarge"),
                    "415": _error("NotJson"),
                    "429": _error("RateLimited"),
                    "503": _error("Unavailable"),
                },
                body=_ref("Credentials"),
                body_required=True,
            )
        },
        "/api/logout": {
            "post": _operation(
                "logout",
                "Revokes the bearer token: it can no longer open or keep a Socket.IO connection.",
                {
                    "200": _json(_ref("Status"), "The token is revoked."),
                    "401": _error("Unauthorized"),
                    "403": _error("CrossSite"),
                    "503": _error("Unavailable"),
                },
                security=[{"bearer": []}],
            )
        },
        "/api/topics": {
            "get": _operation(
                "listTopics",
                "The communities a seeker may choose.",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["topics"],
                            "properties": {"topics": {"type": "array", "items": _ref("Choice")}},
                        },
                        "Topic ids and labels.",
                    )
                },
            )
        },
        "/api/group-sessions": {
            "get": _operation(
                "listGroupSessions",
                "Open and upcoming support group sessions (docs/protocol.md, Support groups); names no person.",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["sessions"],
                            "properties": {"sessions": {"type": "array", "items": {"type": "object"}}},
                        },
                        "Sessions, soonest first: title, topic, language, times, state, seats left.",
                    )
                },
            )
        },
        "/api/languages": {
            "get": _operation(
                "listLanguages",
                "The languages a seeker may choose.",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["languages"],
                            "properties": {"languages": {"type": "array", "items": _ref("Choice")}},
                        },
                        "Language ids and labels.",
                    )
                },
            )
        },
        "/healthz": {
            "get": _operation(
                "healthz",
                "Liveness: answers while the process serves.",
                {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["status", "jobs_leader"],
                            "properties": {"status": {"const": "ok"}, "jobs_leader": {"type": "boolean"}},
                        },
                        "The process serves; `jobs_leader` says whether it runs the periodic jobs.",
                    )
                },
            )
        },
        "/readyz": {
            "get": _operation(
                "readyz",
                "Readiness: PostgreSQL and Redis both answer.",
                {
                    "200": _json(_ref("Status"), "Both backing services answer."),
                    "503": _json(_ref("NotReady"), "A backing service does not answer."),
                },
            )
        },
        "/metrics": {
            "get": _operation(
                "metrics",
                "Prometheus metrics, for the monitoring system only (`Authorization: Bearer <METRICS_TOKEN>`).",
                {
                    "200": {
                        "description": "Prometheus text exposition format.",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    "401": _error("Unauthorized"),
                },
                security=[{"metrics": []}],
            )
        },
        "/api/openapi.json": {
            "get": _operation(
                "openapi",
                "This document.",
                {"200": _json({"type": "object"}, "The OpenAPI 3.1 description of the HTTP API.")},
            )
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Peerline HTTP API",
            "version": "1",
            "description": (
                "Sessions, reference lists and health probes. Chat itself runs over Socket.IO "
                "(namespaces /seeker, /listener, /supervisor); see PROTOCOL.md. Every error body is "
                '`{"error": {"code", "message"}}`; unknown routes answer 404 `not_found`.'
            ),
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": _ERROR_RESPONSES,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "metrics": {"type": "http", "scheme": "bearer", "description": "The configured `METRICS_TOKEN`."},
            },
        },
    }


@functools.cache
def _rendered(languages: tuple[str, ...]) -> bytes:
    return orjson.dumps(build_document(languages))


async def serve_openapi(request: web.Request) -> web.Response:
    from server.edge.http_api import SERVICES  # http_api registers this route: import it lazily

    settings = request.app[SERVICES].settings  # type: ignore[attr-defined]
    return web.Response(body=_rendered(tuple(t.id for t in settings.languages)), content_type=_JSON)
