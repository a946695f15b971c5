"""``/listener``: trained peer listeners (PROTOCOL.md)."""

from __future__ import annotations

from server.domain.notify import LISTENER_NS, listener_room
from server.domain.results import Escalated, ListenerState
from server.edge.gateway import payloads as p
from server.edge.gateway.base import RoleNamespace
from server.security.sessions import Actor
from server.services import Services
from server.vocabulary import Role


class ListenerNamespace(RoleNamespace):
    roles = (Role.LISTENER,)

    def __init__(self, services: Services) -> None:
        super().__init__(LISTENER_NS, services)
        chat = services.chat
        self.event("set_status", p.SetStatus, self.set_status)
        self.event("take", p.Take, lambda a, m: services.assignments.take(a.id, m.conversation_id))
        self.chat_events()
        self.event("escalate", p.Escalate, self.escalate)
        self.event("list_conversations", None, lambda a, m: chat.listener_conversations(a))
        self.event("block_seeker", p.ConversationRef, lambda a, m: chat.block_seeker(a, m.conversation_id))

    def identity_room(self, actor: Actor) -> str:
        return listener_room(actor.id)

    async def connected(self, actor: Actor) -> None:
        await self.services.listeners.connected(actor)
        await self.services.queue_watch.send_queue_update(actor)

    async def disconnected(self, actor: Actor) -> None:
        self.services.queue_watch.forget(actor.sid)
        if not self.services.sessions.has_other(actor):
            await self.services.listeners.disconnected(actor)

    async def set_status(self, actor: Actor, req: p.SetStatus) -> ListenerState:
        return await self.services.listeners.set_status(actor, req.status, req.max_chats)

    async def escalate(self, actor: Actor, req: p.Escalate) -> Escalated:
        return await self.services.alerts.escalate_by_listener(
            actor,
            req.conversation_id,
            reason=req.reason,
            category=req.category,
            severity=req.severity,
            show_resources=req.show_resources,
        )
