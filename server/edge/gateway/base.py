"""What every namespace shares: token check at connect, identity rooms, and error-safe handlers.

A handler never lets an exception escape to python-socketio: a client mistake becomes its protocol
error code, a backing-service failure becomes ``unavailable`` (logged with context, never text).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import msgspec
import redis.exceptions
import socketio
from socketio.exceptions import ConnectionRefusedError as Refused

from server.domain.results import wire
from server.edge.gateway.payloads import ConversationRef, Resume, SendMessage, Typing, parse
from server.errors import ProtocolError, invalid, unavailable
from server.metrics import EVENTS, SOCKETS
from server.security.addresses import client_address, hashed
from server.security.auth import InvalidToken
from server.security.sessions import Actor
from server.services import Services

log = logging.getLogger(__name__)

S = TypeVar("S", bound=msgspec.Struct)
Handler = Callable[[Actor, Any], Awaitable[dict[str, Any] | None]]

_BACKING_ERRORS = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.OperatorInterventionError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    OSError,
    TimeoutError,
)


def ok(result: Any = None) -> dict[str, Any]:
    """The ack: the domain's result serialised (``results.wire``), after ``"ok": true``."""
    return {"ok": True, **(wire(result) or {})}


def failed(error: ProtocolError) -> dict[str, Any]:
    return {"ok": False, "error": {"code": error.code, "message": error.message}, **error.extra}


class RoleNamespace(socketio.AsyncNamespace):
    """One namespace per role; the token's role decides which one a client may open."""

    roles: tuple[str, ...] = ()

    def __init__(self, namespace: str, services: Services) -> None:
        super().__init__(namespace)
        self.services = services
        self._events: dict[str, tuple[type[msgspec.Struct] | None, Handler]] = {}

    # -- registration ---------------------------------------------------------------------------
    def event(self, name: str, payload: type[S] | None, handler: Callable[[Actor, S], Awaitable[Any]]) -> None:
        self._events[name] = (payload, handler)  # type: ignore[assignment]

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event == "connect":
            sid, environ, *rest = (*args, None)
            if self.server.manager.is_connected(sid, self.namespace):
                return failed(invalid("unknown event"))  # an EVENT packet named "connect": not ours to run
            return await self._connect(sid, environ, rest[0] if rest else None)
        if event == "disconnect":
            sid = args[0]
            if self.server.manager.is_connected(sid, self.namespace):
                return failed(invalid("unknown event"))  # forged by the client, not a real disconnect
            await self._disconnect(sid)
            return None
        return await self._dispatch(event, args)

    def chat_events(self) -> None:
        """The conversation events seekers and listeners share (PROTOCOL.md: "as for seekers")."""
        chat = self.services.chat
        self.event("message", SendMessage, lambda a, m: chat.post_message(a, m.conversation_id, m.client_id, m.text))
        self.event("typing", Typing, lambda a, m: chat.typing(a, m.conversation_id, m.typing))
        self.event("resume", Resume, lambda a, m: chat.resume(a, m.conversation_id, m.after_seq))
        self.event("end_chat", ConversationRef, self._end_chat)

    async def _end_chat(self, actor: Actor, req: ConversationRef) -> None:
        await self.services.chat.end_chat(actor, req.conversation_id)
        if actor.conversation_id == req.conversation_id:
            actor.conversation_id = None

    # -- connect / disconnect -------------------------------------------------------------------
    async def _connect(self, sid: str, environ: Any, auth: Any) -> bool:
        services = self.services
        request = environ.get("aiohttp.request") if isinstance(environ, dict) else None
        address = client_address(request, trusted_proxies=services.settings.trusted_proxies)
        allowed = await services.limits.check_connection(address)  # never raises: Redis away, counted here
        if not allowed:
            raise Refused("rate_limited")
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            claims = services.tokens.decode(token)
        except InvalidToken:
            raise Refused("unauthorized") from None
        if claims.role not in self.roles:
            raise Refused("unauthorized")
        try:
            revoked = await services.revocations.is_revoked(claims.token_id)
        except _BACKING_ERRORS:
            revoked = False  # the account check in PostgreSQL below still applies
            log.warning("connect: revocation list unavailable")
        if revoked:
            raise Refused("unauthorized")
        try:
            actor = await services.identity.actor_for(claims, sid)
        except _BACKING_ERRORS:
            log.warning("connect refused: backing service unavailable")
            raise Refused("unavailable") from None
        if actor is None:
            raise Refused("unauthorized")
        actor.address = hashed(address)
        self.services.sessions.add(actor)
        SOCKETS.labels(actor.role).inc()
        await self.enter_room(sid, self.identity_room(actor))
        try:
            await self.connected(actor)
        except _BACKING_ERRORS:
            log.warning("connect: presence not recorded, backing service unavailable")
        return True

    async def _disconnect(self, sid: str) -> None:
        actor = self.services.sessions.remove(sid)
        if actor is None:
            return
        SOCKETS.labels(actor.role).dec()
        try:
            await self.disconnected(actor)
        except Exception:
            log.exception("disconnect cleanup failed role=%s", actor.role)

    def identity_room(self, actor: Actor) -> str:
        raise NotImplementedError

    async def connected(self, actor: Actor) -> None:
        """Role-specific work after a socket is accepted."""

    async def disconnected(self, actor: Actor) -> None:
        """Role-specific cleanup after a socket is gone."""

    # -- events ---------------------------------------------------------------------------------
    async def _dispatch(self, event: str, args: tuple[Any, ...]) -> dict[str, Any]:
        if not args:
            return failed(invalid("no socket"))
        sid, payload = args[0], (args[1] if len(args) > 1 else None)
        actor = self.services.sessions.get(sid)
        if actor is None:
            return failed(ProtocolError("unauthorized", "not connected"))
        entry = self._events.get(event) if isinstance(event, str) else None
        if entry is None:
            return failed(invalid("unknown event"))
        kind, handler = entry
        if self.services.draining:
            return failed(unavailable("this server is restarting; reconnect and retry"))
        started = time.perf_counter()
        outcome = "ok"
        try:
            if self.services.token_revoked(actor):
                await self.disconnect(sid)
                return failed(ProtocolError("unauthorized", "token expired or revoked"))
            await self.services.limits.check_event(actor)
            data = parse(kind, payload) if kind is not None else None
            return ok(await handler(actor, data))
        except ProtocolError as error:
            outcome = error.code
            return failed(error)
        except _BACKING_ERRORS as exc:
            outcome = "unavailable"
            log.warning("event=%s role=%s: backing service unavailable (%s)", event, actor.role, type(exc).__name__)
            return failed(unavailable())
        except Exception:
            outcome = "unavailable"
            log.exception("event=%s role=%s failed", event, actor.role)
            return failed(unavailable("the service could not complete this; retry later"))
        finally:
            EVENTS.labels(self.namespace, event, outcome).observe(time.perf_counter() - started)
