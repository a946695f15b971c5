"""Which web origins may call this service from a browser: its own, and ``ALLOWED_ORIGINS``.

"Its own" is the origin whose host (and port) is the request's ``Host`` header: a browser always
sends the host it is talking to there, and a page on another site cannot change it. Nothing that a
client may add is consulted — not ``X-Forwarded-Host`` nor ``X-Forwarded-Proto``, which a client
can send through a proxy that passes them on (python-engineio's own same-origin rule trusts both).
The scheme is not compared: behind a TLS-terminating proxy the browser says ``https`` while this
process serves plain HTTP, and either scheme on our own host is ours.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit


def _netloc(origin: str) -> str | None:
    try:
        parts = urlsplit(origin)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        return None
    return parts.netloc.lower()


def origin_allowed(origin: str, host: str | None, allowed: tuple[str, ...]) -> bool:
    """True for our own origin (``host``) and the configured ones; ``null`` and anything else is not."""
    if origin in allowed or origin.rstrip("/") in allowed:
        return True
    netloc = _netloc(origin)
    return netloc is not None and host is not None and netloc == host.strip().lower()


def engineio_origin_check(allowed: tuple[str, ...]) -> Callable[[str | None, dict[str, Any]], bool]:
    """python-engineio's ``cors_allowed_origins`` callable. It refuses a request whose ``Origin`` this
    says no to; it also asks, with no ``Origin`` at all, when writing CORS headers (then: none)."""

    def check(origin: str | None, environ: dict[str, Any]) -> bool:
        return origin is not None and origin_allowed(origin, environ.get("HTTP_HOST"), allowed)

    return check
