"""Client addresses, only ever used hashed (rate-limit keys that expire), never logged or stored."""

from __future__ import annotations

import hashlib

from aiohttp import web


def client_address(request: web.BaseRequest | None, *, trust_forwarded: bool) -> str:
    """Behind a proxy that appends to X-Forwarded-For (nginx), its last entry is the client."""
    if request is None:
        return ""
    if trust_forwarded:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.remote or ""


def hashed(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
