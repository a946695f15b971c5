"""The HTTP API (PROTOCOL.md): anonymous seeker sessions, staff login, topics, health, metrics.

Every error body is ``{"error": {"code", "message"}}``, including unknown routes and bad JSON.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

import orjson
import prometheus_client
from aiohttp import web

from server.edge.gateway.payloads import storable
from server.edge.openapi import serve_openapi
from server.edge.origins import origin_allowed
from server.errors import HTTP_STATUS, ProtocolError, invalid
from server.security.addresses import client_address
from server.security.auth import InvalidToken, verify_password
from server.services import SERVICES, Services
from server.store import seekers, users
from server.vocabulary import Role

log = logging.getLogger(__name__)


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")


def error_response(error: ProtocolError, **extra: Any) -> web.Response:
    return json_response({**error.body(), **extra}, status=HTTP_STATUS[error.code])


@web.middleware
async def errors_as_json(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except ProtocolError as error:
        return error_response(error)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = {404: "not_found", 405: "invalid", 413: "invalid"}.get(exc.status, "invalid")
        return json_response({"error": {"code": code, "message": exc.reason}}, status=exc.status)
    except Exception:
        log.exception("http %s %s failed", request.method, request.path)
        return json_response({"error": {"code": "unavailable", "message": "internal error"}}, status=503)


_JSON_BODY_ROUTES = frozenset({"/api/seekers", "/api/login"})


@web.middleware
async def same_site_posts(request: web.Request, handler: Any) -> web.StreamResponse:
    """A page on another site can make its visitors' browsers POST here without asking ("simple"
    requests: ``text/plain`` or form bodies, no preflight). So a POST carrying a foreign ``Origin`` is
    refused before it can count against a limit (``server/edge/origins.py``), and the JSON routes accept
    only ``application/json`` bodies, which no browser sends cross-site without a CORS preflight —
    and this API answers no preflight."""
    if request.method != "POST" or not request.path.startswith("/api/"):
        return await handler(request)
    origin = request.headers.get("Origin")
    if origin is not None:
        allowed = _services(request).settings.allowed_origins
        if not origin_allowed(origin, request.headers.get("Host"), allowed):
            raise ProtocolError("forbidden", "cross-site requests are not accepted")
    if request.path in _JSON_BODY_ROUTES and request.body_exists:  # an empty body reads as {}
        if request.content_type != "application/json":
            return json_response(
                {"error": {"code": "invalid", "message": "the body must be application/json"}}, status=415
            )
    return await handler(request)


async def _json_object(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw:
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise invalid("body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid("body must be a JSON object")
    return body


def _address(request: web.Request) -> str:
    return client_address(request, trusted_proxies=_services(request).settings.trusted_proxies)


def _services(request: web.Request) -> Services:
    return request.app[SERVICES]


async def create_seeker(request: web.Request) -> web.Response:
    services = _services(request)
    body = await _json_object(request)
    language = body.get("language", "en")
    if not isinstance(language, str) or language not in services.settings.language_ids:
        raise invalid("unsupported language")
    await services.limits.check_seeker_session(_address(request))
    async with services.pool.acquire() as conn:
        seeker_id = await seekers.create(conn, language)
    token = services.tokens.issue(seeker_id, Role.SEEKER, services.settings.seeker_token_ttl_s)
    return json_response({"token": token, "seeker_id": seeker_id}, status=201)


async def login(request: web.Request) -> web.Response:
    services = _services(request)
    body = await _json_object(request)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise invalid("username and password are required strings")
    if len(username) > 128 or len(password) > 1024:
        raise invalid("username or password too long")
    await services.limits.check_login(username, _address(request))
    user = None
    if storable(username):  # no account has a NUL or a lone surrogate in its name: a plain failed login
        async with services.pool.acquire() as conn:
            user = await users.by_username(conn, username)
    hashed = user.password_hash if user is not None and user.active else None
    matches = await asyncio.get_running_loop().run_in_executor(None, verify_password, hashed, password)
    if not matches or user is None:
        await services.limits.login_failed(username, _address(request))
        raise ProtocolError("unauthorized", "wrong username or password")
    token = services.tokens.issue(user.id, user.role, services.settings.staff_token_ttl_s)
    return json_response({"token": token, "role": user.role, "user_id": user.id, "display_name": user.display_name})


async def logout(request: web.Request) -> web.Response:
    """Revokes the presented token (``Authorization: Bearer``) everywhere, at once and for good."""
    services = _services(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    try:
        claims = services.tokens.decode(token if scheme.lower() == "bearer" else None)
    except InvalidToken:
        raise ProtocolError("unauthorized", "a valid bearer token is required") from None
    await services.revocations.revoke_token(claims)
    await services.token_watch.sweep()
    return json_response({"status": "ok"})


async def topics(request: web.Request) -> web.Response:
    settings = _services(request).settings
    return json_response({"topics": [{"id": t.id, "label": t.label} for t in settings.topics]})


async def languages(request: web.Request) -> web.Response:
    settings = _services(request).settings
    return json_response({"languages": [{"id": t.id, "label": t.label} for t in settings.languages]})


async def healthz(request: web.Request) -> web.Response:
    """``jobs_leader`` (an addition) tells operators and tests which process runs the periodic jobs."""
    return json_response({"status": "ok", "jobs_leader": _services(request).jobs.is_leader})


async def readyz(request: web.Request) -> web.Response:
    failed = await _services(request).readiness()
    if failed:
        return json_response(
            {
                "error": {"code": "unavailable", "message": "a backing service does not answer"},
                "failed": failed,
            },
            status=503,
        )
    return json_response({"status": "ok"})


async def metrics(request: web.Request) -> web.Response:
    """Only for the monitoring system (``Authorization: Bearer <METRICS_TOKEN>``): the gauges tell
    whether a supervisor is online, which nobody else needs to know. Without ``METRICS_TOKEN`` the
    metrics are not served at all."""
    expected = _services(request).settings.metrics_token
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if (
        expected is None
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(presented.strip().encode(), expected.encode())
    ):
        raise ProtocolError("unauthorized", "metrics need Authorization: Bearer <METRICS_TOKEN>")
    return web.Response(
        body=prometheus_client.generate_latest(),
        headers={"Content-Type": prometheus_client.CONTENT_TYPE_LATEST},
    )


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/seekers", create_seeker)
    app.router.add_post("/api/login", login)
    app.router.add_post("/api/logout", logout)
    app.router.add_get("/api/topics", topics)
    app.router.add_get("/api/languages", languages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/api/openapi.json", serve_openapi)
