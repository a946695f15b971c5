"""The ``/groups`` payloads, validated into typed structures before the service sees them.

Bounds follow PROTOCOL.md (``text`` 1–4000, ``client_id`` 1–128, ``reason`` ≤ 2000, ids the
service's own); group fields have their own (docs/protocol.md, "Support groups").
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from server.domain.groups.rules import (
    DEFAULT_CAPACITY,
    DESCRIPTION_MAX,
    DURATION_MAX,
    DURATION_MIN,
    GUIDELINES_MAX,
    MAX_CAPACITY,
    MIN_CAPACITY,
    TITLE_MAX,
)
from server.edge.gateway.payloads import ClientId, Id, Language, Text, Topic, storable

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=TITLE_MAX)]
Description = Annotated[str, msgspec.Meta(max_length=DESCRIPTION_MAX)]
Guidelines = Annotated[str, msgspec.Meta(max_length=GUIDELINES_MAX)]
Capacity = Annotated[int, msgspec.Meta(ge=MIN_CAPACITY, le=MAX_CAPACITY)]
Duration = Annotated[int, msgspec.Meta(ge=DURATION_MIN, le=DURATION_MAX)]
Alias = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]  # the real rule is rules.check_alias
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
SeqAfter = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
Facilitators = Annotated[list[Id], msgspec.Meta(max_length=20)]


_IDS = ("session_id", "group_id", "member_id", "message_id")
_TEXTS = ("alias", "title", "description", "guidelines")


class Checked(msgspec.Struct):
    """Checks ``gateway.payloads.parse`` does not know of: the groups' ids and texts (a failure here
    is a validation error, so ``invalid``)."""

    def __post_init__(self) -> None:
        for name in _IDS:
            ident = getattr(self, name, None)
            if ident is not None and not _is_uuid(ident):
                raise ValueError(f"{name} is not an id this service issued")
        for ident in getattr(self, "facilitators", None) or ():
            if not _is_uuid(ident):
                raise ValueError("facilitators must be staff account ids")
        for name in _TEXTS:
            text = getattr(self, name, None)
            if isinstance(text, str) and not storable(text):
                raise ValueError(f"{name} must be Unicode text without NUL characters")
        title = getattr(self, "title", None)
        if isinstance(title, str) and not title.strip():
            raise ValueError("title must not be only white space")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class CreateGroup(Checked):
    title: Title
    topic: Topic
    language: Language = "en"
    description: Description = ""
    guidelines: Guidelines = ""
    capacity: Capacity = DEFAULT_CAPACITY
    facilitators: Facilitators | None = None


class EditGroup(Checked):
    group_id: Id
    title: Title | None = None
    topic: Topic | None = None
    language: Language | None = None
    description: Description | None = None
    guidelines: Guidelines | None = None
    capacity: Capacity | None = None
    facilitators: Facilitators | None = None


class GroupRef(Checked):
    group_id: Id


class Schedule(Checked):
    group_id: Id
    duration_min: Duration = 60
    starts_at: datetime | None = None  # ISO-8601 with a zone
    drop_in: bool = False  # opens now; starts_at must then be absent


class SessionRef(Checked):
    session_id: Id


class Join(Checked):
    session_id: Id
    alias: Alias
    accept_guidelines: bool = False


class GroupMessage(Checked):
    session_id: Id
    client_id: ClientId
    text: Text


class GroupTyping(Checked):
    session_id: Id
    typing: bool


class GroupResume(Checked):
    session_id: Id
    after_seq: SeqAfter = 0


class Leave(Checked):
    session_id: Id
    erase: bool = False


class Mute(Checked):
    session_id: Id
    member_id: Id
    muted: bool = True


class Remove(Checked):
    session_id: Id
    member_id: Id
    reason: Reason | None = None


class Pin(Checked):
    session_id: Id
    pinned: bool = True


class DeleteMessage(Checked):
    session_id: Id
    message_id: Id
    reason: Reason


class Report(Checked):
    session_id: Id
    message_id: Id
    reason: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class Invite(Checked):
    session_id: Id
    member_id: Id
    listener_id: Id | None = None  # hand the one-to-one to this listener when they can take it now
