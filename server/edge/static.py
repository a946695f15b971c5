"""The browser apps (built into ``client_web/dist``) and the headers that protect them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; media-src 'self' data: blob:; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)
FRAME_ANCESTORS = web.AppKey("frame_ancestors", str)

_PAGES = {"/": "index.html", "/listener": "listener.html", "/supervisor": "supervisor.html"}


@web.middleware
async def security_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    response = await handler(request)
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cache-Control", "no-store")
    if response.content_type == "text/html":
        headers.setdefault("Content-Security-Policy", CSP.format(ancestors=request.app.get(FRAME_ANCESTORS, "'self'")))
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def add_static_routes(app: web.Application, dist: Path, allowed_origins: tuple[str, ...] = ()) -> None:
    app[FRAME_ANCESTORS] = " ".join(("'self'", *allowed_origins))

    def page(name: str) -> Any:
        async def serve(request: web.Request) -> web.StreamResponse:
            path = dist / name
            if not path.is_file():
                raise web.HTTPNotFound(reason="the browser apps are not built (npm run build in client_web)")
            return web.FileResponse(path, headers={"Content-Type": "text/html; charset=utf-8"})

        return serve

    for route, name in _PAGES.items():
        app.router.add_get(route, page(name))

    async def widget(request: web.Request) -> web.StreamResponse:
        path = dist / "widget.js"
        if not path.is_file():
            raise web.HTTPNotFound(reason="the widget is not built")
        response = web.FileResponse(path, headers={"Content-Type": "text/javascript; charset=utf-8"})
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cache-Control"] = "public, max-age=300"
        return response

    app.router.add_get("/widget.js", widget)

    async def asset(request: web.Request) -> web.StreamResponse:
        # Resolved per request, so a build made after start-up is served too; never outside dist/assets.
        root = (dist / "assets").resolve()
        path = (root / request.match_info["name"]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise web.HTTPNotFound(reason="no such asset")
        response = web.FileResponse(path)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"  # names carry content hashes
        return response

    app.router.add_get("/assets/{name:.+}", asset)
