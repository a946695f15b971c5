"""Client addresses, only ever used hashed (rate-limit keys that expire), never logged or stored."""

from __future__ import annotations

import hashlib
import ipaddress

from aiohttp import web

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request: web.BaseRequest | None, *, trusted_proxies: tuple[IPNetwork, ...]) -> str:
    """The client's address: the peer's, unless the peer is one of our proxies (``TRUSTED_PROXIES``).

    Then ``X-Forwarded-For`` is read from the right (each proxy appends the address it saw), skipping
    our own proxies: the first entry that is not one of them is the client. Anything to its left was
    written by the client and proves nothing. A client that reaches the service directly is never a
    trusted proxy, so whatever it puts in the header is ignored."""
    if request is None:
        return ""
    peer = request.remote or ""
    if not trusted_proxies or not _is_proxy(peer, trusted_proxies):
        return peer
    entries = [e.strip() for h in request.headers.getall("X-Forwarded-For", []) for e in h.split(",")]
    entries = [e for e in entries if e]
    for entry in reversed(entries):
        if not _is_proxy(entry, trusted_proxies):
            return entry
    return entries[0] if entries else peer


def _is_proxy(address: str, trusted_proxies: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted_proxies)


def hashed(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
