"""Errors a client can cause, as the protocol codes they become (PROTOCOL.md)."""

from __future__ import annotations

from typing import Any

CODES = ("invalid", "unauthorized", "forbidden", "not_found", "conflict", "rate_limited", "unavailable")

HTTP_STATUS = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "rate_limited": 429,
    "unavailable": 503,
}


class ProtocolError(Exception):
    """Raised anywhere in the domain; the gateway turns it into ``{"ok": false, "error": ...}``."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        if code not in CODES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.extra = extra  # additive ack fields, e.g. the open conversation on a request_chat conflict

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


def invalid(message: str) -> ProtocolError:
    return ProtocolError("invalid", message)


def forbidden(message: str = "not your conversation") -> ProtocolError:
    return ProtocolError("forbidden", message)


def not_found(message: str) -> ProtocolError:
    return ProtocolError("not_found", message)


def conflict(message: str, **extra: Any) -> ProtocolError:
    return ProtocolError("conflict", message, **extra)


def unavailable(message: str = "a backing service is unavailable; retry later") -> ProtocolError:
    return ProtocolError("unavailable", message)
