"""What the domain returns: frozen, slotted results. The edge turns them into wire objects
(``to_wire``, the shapes of ``PROTOCOL.md``) — once, in ``edge/gateway/base.ok`` and in the notifier —
so a rule can be tested on what it decided, without a socket and without reading JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from server.store.conversations import Conversation
from server.store.escalations import Escalation
from server.store.messages import Message


class Wire(Protocol):
    def to_wire(self) -> dict[str, Any]: ...


def wire(value: Any) -> Any:
    """A result as its wire object; anything else (already a wire object) unchanged."""
    to_wire = getattr(value, "to_wire", None)
    return to_wire() if callable(to_wire) else value


@dataclass(frozen=True, slots=True)
class Transcript:
    """A conversation with the messages its reader may see: resume, take, a new assignment, a
    supervisor's join or read (``taken_over``: whether that supervisor answers the seeker here)."""

    conversation: Conversation
    messages: tuple[Message, ...]
    taken_over: bool | None = None
    # for a listener (assigned, take, resume): what they are told of each crisis still open in it
    risk: tuple[dict[str, Any], ...] | None = None

    def to_wire(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "conversation": self.conversation.to_wire(),
            "messages": [m.to_wire() for m in self.messages],
        }
        if self.taken_over is not None:
            out["taken_over"] = self.taken_over
        if self.risk is not None:
            out["risk"] = list(self.risk)
        return out


@dataclass(frozen=True, slots=True)
class StoredMessage:
    message: Message  # the one stored (or, for a retry of the same client_id, its first copy)

    def to_wire(self) -> dict[str, Any]:
        return {"message": self.message.to_wire()}


@dataclass(frozen=True, slots=True)
class ChatRequested:
    conversation_id: str
    position: int | None  # 0: paired already; None: stored, but the queue is away (Redis) for now

    def to_wire(self) -> dict[str, Any]:
        return {"conversation_id": self.conversation_id, "position": self.position}


@dataclass(frozen=True, slots=True)
class Conversations:
    conversations: tuple[Conversation, ...]

    def to_wire(self) -> dict[str, Any]:
        return {"conversations": [c.to_wire() for c in self.conversations]}


@dataclass(frozen=True, slots=True)
class TakenOver:
    conversation: Conversation
    message: Message | None  # the line the seeker reads; None when this supervisor already answered here

    def to_wire(self) -> dict[str, Any]:
        return {
            "conversation": self.conversation.to_wire(),
            "taken_over": True,
            "message": None if self.message is None else self.message.to_wire(),
        }


@dataclass(frozen=True, slots=True)
class Erased:
    erased_messages: int  # what the seeker could see (whispers are erased too, but not counted)

    def to_wire(self) -> dict[str, Any]:
        return {"erased_messages": self.erased_messages}


@dataclass(frozen=True, slots=True)
class Blocked:
    def to_wire(self) -> dict[str, Any]:
        return {"blocked": True}


@dataclass(frozen=True, slots=True)
class Escalated:
    escalation_id: str

    def to_wire(self) -> dict[str, Any]:
        return {"escalation_id": self.escalation_id}


@dataclass(frozen=True, slots=True)
class EscalationChanged:
    escalation: Escalation  # after an acknowledgement or a resolution

    def to_wire(self) -> dict[str, Any]:
        return {"escalation": self.escalation.to_wire()}


@dataclass(frozen=True, slots=True)
class Escalations:
    escalations: tuple[Escalation, ...]

    def to_wire(self) -> dict[str, Any]:
        return {"escalations": [e.to_wire() for e in self.escalations]}


@dataclass(frozen=True, slots=True)
class ListenerState:
    """A listener's own status after ``set_status``: what the server now offers them work at."""

    status: str
    max_chats: int

    def to_wire(self) -> dict[str, Any]:
        return {"status": self.status, "max_chats": self.max_chats}


@dataclass(frozen=True, slots=True)
class ListenerOnDuty:
    user_id: str
    display_name: str
    status: str  # "available", "away" or "offline"
    load: int
    max_chats: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "display_name": self.display_name,
            "status": self.status,
            "load": self.load,
            "max_chats": self.max_chats,
        }


@dataclass(frozen=True, slots=True)
class OverviewSnapshot:
    """What a supervisor sees of the whole service at once; equal values mean nothing changed."""

    queue_length: int
    longest_wait_s: int
    active_conversations: int
    listeners: tuple[ListenerOnDuty, ...]
    open_escalations: int

    def to_wire(self) -> dict[str, Any]:
        return {
            "queue_length": self.queue_length,
            "longest_wait_s": self.longest_wait_s,
            "active_conversations": self.active_conversations,
            "listeners": [listener.to_wire() for listener in self.listeners],
            "open_escalations": self.open_escalations,
        }
