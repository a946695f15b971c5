"""``/seeker``: anonymous help-seekers (PROTOCOL.md)."""

from __future__ import annotations

from server.domain.notify import SEEKER_NS, seeker_room
from server.domain.results import ChatRequested
from server.edge.gateway import payloads as p
from server.edge.gateway.base import RoleNamespace
from server.security.sessions import Actor
from server.services import Services
from server.vocabulary import Role


class SeekerNamespace(RoleNamespace):
    roles = (Role.SEEKER,)

    def __init__(self, services: Services) -> None:
        super().__init__(SEEKER_NS, services)
        self.chat_events()
        self.event("request_chat", p.RequestChat, self.request_chat)
        self.event("erase", p.ConversationRef, lambda a, m: services.chat.erase(a, m.conversation_id))

    def identity_room(self, actor: Actor) -> str:
        return seeker_room(actor.id)

    async def connected(self, actor: Actor) -> None:
        await self.services.seen[Role.SEEKER].touch([actor.id])

    async def disconnected(self, actor: Actor) -> None:
        if not self.services.sessions.has_other(actor):
            await self.services.seen[Role.SEEKER].gone(actor.id)

    async def request_chat(self, actor: Actor, req: p.RequestChat) -> ChatRequested:
        await self.services.limits.check_chat_request(actor)
        return await self.services.chat.request_chat(actor, req.topic, req.language, req.text, req.client_id)
