"""Where events go: rooms named for identities, so the domain never deals with socket ids.

Every socket joins the room of who it is (``seeker:<id>``, ``listener:<id>``, ``supervisors``) when it
connects, on whichever process it lands. Sending to a person is then one emit that the Socket.IO
manager fans out across processes; supervisors watching a conversation join ``watch:<id>``.
"""

from __future__ import annotations

from typing import Any

import socketio

from server.domain.results import wire
from server.store.conversations import Conversation

SEEKER_NS = "/seeker"
LISTENER_NS = "/listener"
SUPERVISOR_NS = "/supervisor"


def seeker_room(seeker_id: str) -> str:
    return f"seeker:{seeker_id}"


def listener_room(listener_id: str) -> str:
    return f"listener:{listener_id}"


def watch_room(conversation_id: str) -> str:
    return f"watch:{conversation_id}"


SUPERVISORS_ROOM = "supervisors"


class Notifier:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._sio = sio

    async def seeker(self, seeker_id: str, event: str, data: Any, *, skip_sid: str | None = None) -> None:
        await self._sio.emit(event, wire(data), room=seeker_room(seeker_id), namespace=SEEKER_NS, skip_sid=skip_sid)

    async def listener(
        self, listener_id: str, event: str, data: Any, *, skip_sid: str | None = None, local: bool = False
    ) -> None:
        """``local``: only this process's sockets (python-socketio's ``ignore_queue``), for catching up."""
        await self._sio.emit(
            event,
            wire(data),
            room=listener_room(listener_id),
            namespace=LISTENER_NS,
            skip_sid=skip_sid,
            ignore_queue=local,
        )

    async def supervisors(self, event: str, data: Any, *, local: bool = False) -> None:
        await self._sio.emit(event, wire(data), room=SUPERVISORS_ROOM, namespace=SUPERVISOR_NS, ignore_queue=local)

    async def watchers(self, conversation_id: str, event: str, data: Any, *, skip_sid: str | None = None) -> None:
        await self._sio.emit(
            event, wire(data), room=watch_room(conversation_id), namespace=SUPERVISOR_NS, skip_sid=skip_sid
        )

    async def conversation(
        self,
        conv: Conversation,
        event: str,
        data: Any,
        *,
        skip_sid: str | None = None,
        staff_only: bool = False,
        listener_id: str | None = None,
    ) -> None:
        """Everyone in the conversation: the seeker (unless staff-only), the listener, watching supervisors."""
        if not staff_only:
            await self.seeker(conv.seeker_id, event, data, skip_sid=skip_sid)
        lid = listener_id or conv.listener_id
        if lid:
            await self.listener(lid, event, data, skip_sid=skip_sid)
        await self.watchers(conv.id, event, data, skip_sid=skip_sid)
