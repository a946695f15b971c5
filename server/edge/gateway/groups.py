"""``/groups``: support group sessions for seekers (members) and staff (facilitators, supervisors).

One namespace for every role, because a group room mixes them; each event says who may send it and
the service checks it (a seeker's token on a staff event is ``forbidden``). Edge only: validate the
payload, call ``GroupService``, put the socket in the rooms it may now read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from server.domain.groups.relay import GROUPS_NS
from server.domain.groups.service import Enter, GroupService, seeker_room, staff_room
from server.edge.gateway import group_payloads as p
from server.edge.gateway.base import RoleNamespace
from server.errors import invalid
from server.security.sessions import Actor

if TYPE_CHECKING:
    from server.services import Services


class GroupNamespace(RoleNamespace):
    roles = ("seeker", "listener", "supervisor", "admin")

    def __init__(self, services: Services, groups: GroupService) -> None:
        super().__init__(GROUPS_NS, services)
        self.groups = groups
        g = groups
        on = self.event
        # anyone
        on("list_sessions", None, lambda a, m: g.list_sessions())
        # members (and facilitators in the room)
        on("join", p.Join, self.join)
        on("resume", p.GroupResume, self.resume)
        on("message", p.GroupMessage, lambda a, m: g.post(a, m.session_id, m.client_id, m.text))
        on("typing", p.GroupTyping, lambda a, m: g.typing(a, m.session_id, m.typing))
        on("leave", p.Leave, lambda a, m: g.leave(a, m.session_id, m.erase))
        on("report", p.Report, lambda a, m: g.report(a, m.session_id, m.message_id, m.reason))
        # staff
        on("list_groups", None, lambda a, m: g.list_groups(a))
        on("create_group", p.CreateGroup, self.create_group)
        on("edit_group", p.EditGroup, self.edit_group)
        on("schedule", p.Schedule, self.schedule)
        on("cancel_session", p.SessionRef, lambda a, m: g.cancel_session(a, m.session_id))
        on("cancel_group", p.GroupRef, lambda a, m: g.cancel_group(a, m.group_id))
        on("facilitate", p.SessionRef, self.facilitate)
        on("watch", p.SessionRef, self.watch)
        on("mute", p.Mute, lambda a, m: g.mute(a, m.session_id, m.member_id, m.muted))
        on("remove", p.Remove, lambda a, m: g.remove(a, m.session_id, m.member_id, m.reason or ""))
        on("pin", p.Pin, lambda a, m: g.pin(a, m.session_id, m.pinned))
        on("delete_message", p.DeleteMessage, lambda a, m: g.delete_message(a, m.session_id, m.message_id, m.reason))
        on("end_session", p.SessionRef, lambda a, m: g.end(a, m.session_id))
        on("invite", p.Invite, lambda a, m: g.invite(a, m.session_id, m.member_id, m.listener_id))

    def identity_room(self, actor: Actor) -> str:
        return seeker_room(actor.id) if actor.role == "seeker" else staff_room(actor.id)

    async def connected(self, actor: Actor) -> None:
        actor.namespace = GROUPS_NS  # the token sweep must drop this socket here, not on the role's namespace

    async def disconnected(self, actor: Actor) -> None:
        self.groups.relay.forget_socket(actor.sid)

    def _enter(self, actor: Actor) -> Enter:
        async def enter(session_id: str, member_id: str | None, watcher: bool, floor: int) -> None:
            await self.groups.relay.enter(actor.sid, session_id, member_id, watcher=watcher, floor=floor)

        return enter

    async def join(self, actor: Actor, req: p.Join) -> dict[str, Any]:
        await self.services.limits.check_chat_request(actor)
        seated = await self.groups.join(actor, req.session_id, req.alias, req.accept_guidelines, self._enter(actor))
        return seated.fields

    async def resume(self, actor: Actor, req: p.GroupResume) -> dict[str, Any]:
        return (await self.groups.resume(actor, req.session_id, req.after_seq, self._enter(actor))).fields

    async def facilitate(self, actor: Actor, req: p.SessionRef) -> dict[str, Any]:
        return (await self.groups.facilitate(actor, req.session_id, self._enter(actor))).fields

    async def watch(self, actor: Actor, req: p.SessionRef) -> dict[str, Any]:
        return (await self.groups.watch(actor, req.session_id, self._enter(actor))).fields

    async def create_group(self, actor: Actor, req: p.CreateGroup) -> dict[str, Any]:
        fields = {
            "topic": req.topic,
            "language": req.language,
            "title": req.title.strip(),
            "description": req.description,
            "guidelines": req.guidelines,
            "capacity": req.capacity,
        }
        return await self.groups.create_group(actor, fields, req.facilitators)

    async def edit_group(self, actor: Actor, req: p.EditGroup) -> dict[str, Any]:
        names = ("title", "topic", "language", "description", "guidelines", "capacity")
        fields = {n: getattr(req, n) for n in names if getattr(req, n) is not None}
        return await self.groups.edit_group(actor, req.group_id, fields, req.facilitators)

    async def schedule(self, actor: Actor, req: p.Schedule) -> dict[str, Any]:
        if req.drop_in == (req.starts_at is not None):
            raise invalid("give starts_at for a scheduled session, or drop_in: true for one that opens now")
        return await self.groups.schedule(actor, req.group_id, req.starts_at, req.duration_min)
