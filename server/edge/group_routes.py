"""``GET /api/group-sessions``: open and upcoming support group sessions, for the widget's list.

Public like ``/api/topics``: a listing names no person (titles, times, seats left), so a seeker can
browse before they have a token.
"""

from __future__ import annotations

from aiohttp import web

from server.edge.http_api import json_response
from server.services import SERVICES


async def group_sessions(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    return json_response(await services.groups.list_sessions())  # type: ignore[attr-defined]


def add_group_routes(app: web.Application) -> None:
    app.router.add_get("/api/group-sessions", group_sessions)
