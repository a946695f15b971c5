"""Who may do what to a conversation or an escalation: one rule per resource, and one way to apply it.

``access_conversation`` fetches a conversation, checks the actor may act on it, and returns it or
raises ``not_found`` / ``forbidden`` — every domain method goes through it (or through
``check_conversation`` when it already holds the row). Nobody writes ``conv.listener_id != actor.id``
anywhere else. The one other copy is SQL: ``store/conversations.write_allowed`` lets the one-statement
message post decide inside PostgreSQL; ``tests/domain/test_access.py`` checks the two agree, cell by cell.
"""

from __future__ import annotations

from enum import StrEnum

import asyncpg

from server.errors import forbidden, not_found
from server.security.sessions import Actor
from server.store import conversations, escalations
from server.store.conversations import Conversation
from server.store.escalations import Escalation
from server.vocabulary import Role


class Access(StrEnum):
    READ = "read"  # its transcript and state
    WRITE = "write"  # messages, typing, ending it, erasing it
    MODERATE = "moderate"  # act on it as staff: block its seeker, escalate it, take it over


def may(actor: Actor, conv: Conversation, access: Access) -> bool:
    """The rule. Seekers read and write their own conversation; listeners the ones they answer now
    (the two are written for both sides, and a listener may moderate them too); supervisors (and
    admins) read and moderate any conversation (audited by the caller) and write only into those
    they joined or took over."""
    if actor.role == Role.SEEKER:
        return conv.seeker_id == actor.id and access != Access.MODERATE
    if actor.role == Role.LISTENER:
        return conv.listener_id == actor.id
    return access != Access.WRITE or conv.id in actor.joined or conv.responder_id == actor.id


def check_conversation(actor: Actor, conv: Conversation | None, access: Access) -> Conversation:
    """``conv`` (already fetched) if the actor may act on it this way; else the client error."""
    if conv is None:
        raise not_found("no such conversation")
    if not may(actor, conv, access):
        raise forbidden()
    return conv


async def access_conversation(
    conn: asyncpg.Connection, actor: Actor, conversation_id: str, access: Access, *, lock: bool = False
) -> Conversation:
    """Fetch (``lock``: and lock the row, inside the caller's transaction), check, return or raise."""
    return check_conversation(actor, await conversations.get(conn, conversation_id, lock=lock), access)


async def access_escalation(conn: asyncpg.Connection, actor: Actor, escalation_id: str) -> Escalation:
    """Escalations are the supervisors' (and admins'): fetch, check, return or raise."""
    if not actor.is_supervisor:
        raise forbidden()
    found = await escalations.get(conn, escalation_id)
    if found is None:
        raise not_found("no such escalation")
    return found
