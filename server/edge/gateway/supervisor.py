"""``/supervisor``: supervisors (and admins) who watch for crises and step in (PROTOCOL.md)."""

from __future__ import annotations

from server.domain.notify import SUPERVISOR_NS, SUPERVISORS_ROOM, watch_room
from server.domain.results import Escalations, StoredMessage, TakenOver, Transcript, wire
from server.edge.gateway import payloads as p
from server.edge.gateway.base import RoleNamespace
from server.security.sessions import Actor
from server.services import Services
from server.vocabulary import SUPERVISING_ROLES, Role


class SupervisorNamespace(RoleNamespace):
    roles = SUPERVISING_ROLES

    def __init__(self, services: Services) -> None:
        super().__init__(SUPERVISOR_NS, services)
        alerts = services.alerts
        self.event("list_escalations", p.ListEscalations, self.list_escalations)
        self.event("ack", p.EscalationRef, lambda a, m: alerts.acknowledge(a, m.escalation_id))
        self.event("resolve", p.Resolve, lambda a, m: alerts.resolve(a, m.escalation_id, m.outcome, m.note))
        self.event("join", p.ConversationRef, self.join)
        self.event("resume", p.Resume, self.resume)
        self.event("message", p.SupervisorMessage, self.message)
        self.event("typing", p.Typing, self.typing)
        self.event("take_over", p.ConversationRef, self.take_over)
        self.event("end_chat", p.ConversationRef, self.end_chat)
        self.event("list_conversations", None, lambda a, m: services.supervision.taken_over(a))
        self.event("overview", None, lambda a, m: services.overview.current())
        self.event("block_seeker", p.ConversationRef, lambda a, m: services.chat.block_seeker(a, m.conversation_id))

    def identity_room(self, actor: Actor) -> str:
        return SUPERVISORS_ROOM

    async def connected(self, actor: Actor) -> None:
        await self.services.seen[Role.SUPERVISOR].touch([actor.id])
        await self.emit("overview", wire(await self.services.overview.current()), to=actor.sid)

    async def disconnected(self, actor: Actor) -> None:
        if not self.services.sessions.has_other(actor):
            await self.services.seen[Role.SUPERVISOR].gone(actor.id)

    async def list_escalations(self, actor: Actor, req: p.ListEscalations) -> Escalations:
        return await self.services.alerts.listing(req.status)

    async def join(self, actor: Actor, req: p.ConversationRef) -> Transcript:
        result = await self.services.supervision.join(actor, req.conversation_id)
        await self.enter_room(actor.sid, watch_room(req.conversation_id))
        return result

    async def resume(self, actor: Actor, req: p.Resume) -> Transcript:
        result = await self.services.supervision.read(actor, req.conversation_id, req.after_seq)
        await self.enter_room(actor.sid, watch_room(req.conversation_id))
        return result

    async def message(self, actor: Actor, req: p.SupervisorMessage) -> StoredMessage:
        return await self.services.supervision.message(
            actor, req.conversation_id, req.client_id, req.text, req.visibility
        )

    async def typing(self, actor: Actor, req: p.Typing) -> None:
        await self.services.chat.typing(actor, req.conversation_id, req.typing)

    async def take_over(self, actor: Actor, req: p.ConversationRef) -> TakenOver:
        result = await self.services.supervision.take_over(actor, req.conversation_id)
        await self.enter_room(actor.sid, watch_room(req.conversation_id))
        return result

    async def end_chat(self, actor: Actor, req: p.ConversationRef) -> None:
        await self.services.chat.end_chat(actor, req.conversation_id)
