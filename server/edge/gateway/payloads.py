"""Client payloads, validated into typed structures before the domain sees them (PROTOCOL.md bounds)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, TypeVar

import msgspec

from server.errors import invalid
from server.vocabulary import Category, EscalationStatus, ListenerStatus, Outcome, Severity, Visibility

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
ClientId = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
Note = Annotated[str, msgspec.Meta(max_length=2000)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Language = Annotated[str, msgspec.Meta(min_length=2, max_length=16)]
Topic = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class RequestChat(msgspec.Struct, forbid_unknown_fields=False):
    topic: Topic
    language: Language = "en"
    text: Text | None = None
    client_id: ClientId | None = None


class SendMessage(msgspec.Struct):
    conversation_id: Id
    client_id: ClientId
    text: Text


class SupervisorMessage(msgspec.Struct):
    conversation_id: Id
    client_id: ClientId
    text: Text
    visibility: Visibility


class Typing(msgspec.Struct):
    conversation_id: Id
    typing: bool


class Resume(msgspec.Struct):
    conversation_id: Id
    after_seq: Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)] = 0


class ConversationRef(msgspec.Struct):
    conversation_id: Id


class SetStatus(msgspec.Struct):
    status: ListenerStatus
    max_chats: Annotated[int, msgspec.Meta(ge=1, le=20)] | None = None


class Take(msgspec.Struct):
    conversation_id: Id | None = None


class Escalate(msgspec.Struct):
    conversation_id: Id
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    category: Category | None = None
    severity: Severity = Severity.HIGH
    show_resources: bool = False


class ListEscalations(msgspec.Struct):
    status: EscalationStatus | None = None


class EscalationRef(msgspec.Struct):
    escalation_id: Id


class Resolve(msgspec.Struct):
    escalation_id: Id
    outcome: Outcome
    note: Note = ""


T = TypeVar("T", bound=msgspec.Struct)

_ID_FIELDS = ("conversation_id", "escalation_id")


def parse(kind: type[T], payload: Any) -> T:
    """Strict conversion: no coercion of "5" to 5 or 1 to True; unknown fields are ignored (additive)."""
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise invalid("payload must be a JSON object")
    try:
        value = msgspec.convert(payload, kind, strict=True)
    except msgspec.ValidationError as exc:
        raise invalid(str(exc)) from None
    for name in _ID_FIELDS:
        ident = getattr(value, name, None)
        if ident is not None and not _is_uuid(ident):
            raise invalid(f"{name} is not an id this service issued")
    for name in ("text", "reason"):
        text = getattr(value, name, None)
        if isinstance(text, str) and not text.strip():
            raise invalid(f"{name} must not be only white space")
    for name in ("text", "reason", "note", "client_id", "topic", "language"):
        text = getattr(value, name, None)
        if isinstance(text, str) and not storable(text):
            raise invalid(f"{name} must be Unicode text without NUL characters")
    return value


def storable(text: str) -> bool:
    """PostgreSQL text holds neither NUL nor lone surrogates: refuse them at the edge, not in a query."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
