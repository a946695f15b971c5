"""Who may read, write or moderate a conversation: every cell of role × relation × access, against the
Python rule (``server.domain.access.may``) and, for writes, against its SQL copy on the real PostgreSQL
(``store.conversations.write_allowed``, what the one-statement message post decides with)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from server.domain.access import Access, access_conversation, check_conversation, may
from server.errors import ProtocolError
from server.security.sessions import Actor
from server.store import conversations, seekers, users
from server.store.conversations import Conversation
from server.vocabulary import Role

SEEKER, LISTENER, SUPERVISOR, ADMIN = Role.SEEKER, Role.LISTENER, Role.SUPERVISOR, Role.ADMIN
# relation of the actor to the conversation -> (read, write, moderate), per role
TABLE: list[tuple[str, str, bool, bool, bool]] = [
    (SEEKER, "its seeker", True, True, False),
    (SEEKER, "another seeker", False, False, False),
    (LISTENER, "its listener", True, True, True),
    (LISTENER, "another listener", False, False, False),
    (LISTENER, "its listener before a take-over", False, False, False),
    (SUPERVISOR, "a stranger", True, False, True),
    (SUPERVISOR, "joined", True, True, True),
    (SUPERVISOR, "took it over", True, True, True),
    (ADMIN, "a stranger", True, False, True),
    (ADMIN, "joined", True, True, True),
    (ADMIN, "took it over", True, True, True),
]
IDS = {name: str(uuid.uuid4()) for name in ("seeker", "listener", "supervisor", "other")}
CONV_ID = str(uuid.uuid4())


def scene(role: str, relation: str) -> tuple[Actor, Conversation]:
    """The actor and the conversation as they stand in that relation."""
    me = IDS["other"]
    listener_id: str | None = IDS["listener"]
    responder_id: str | None = IDS["listener"]
    joined: set[str] = set()
    if relation == "its seeker":
        me = IDS["seeker"]
    elif relation == "its listener":
        me = IDS["listener"]
    elif relation == "its listener before a take-over":
        me, listener_id, responder_id = IDS["listener"], None, IDS["supervisor"]
    elif relation == "joined":
        me, joined = IDS["supervisor"], {CONV_ID}
    elif relation == "took it over":
        me, listener_id, responder_id = IDS["supervisor"], None, IDS["supervisor"]
    now = datetime.now(UTC)
    conv = Conversation(
        id=CONV_ID,
        seeker_id=IDS["seeker"],
        topic="talk",
        language="en",
        status="active",
        severity="none",
        listener_id=listener_id,
        responder_name=None,
        responder_id=responder_id,
        last_seq=0,
        created_at=now,
        queued_at=now,
        assigned_at=now,
    )
    return Actor(role, me, "sid", joined=joined), conv


@pytest.mark.parametrize(("role", "relation", "read", "write", "moderate"), TABLE)
def test_the_python_rule(role: str, relation: str, read: bool, write: bool, moderate: bool) -> None:
    actor, conv = scene(role, relation)
    assert [may(actor, conv, a) for a in (Access.READ, Access.WRITE, Access.MODERATE)] == [read, write, moderate]
    for access, allowed in ((Access.READ, read), (Access.WRITE, write), (Access.MODERATE, moderate)):
        if allowed:
            assert check_conversation(actor, conv, access) is conv
        else:
            with pytest.raises(ProtocolError) as refused:
                check_conversation(actor, conv, access)
            assert refused.value.code == "forbidden"


def test_an_unknown_conversation_is_not_found_for_everyone() -> None:
    for role in Role:
        with pytest.raises(ProtocolError) as refused:
            check_conversation(Actor(role, IDS["other"], "sid"), None, Access.READ)
        assert refused.value.code == "not_found"


async def _user(conn: asyncpg.Connection, user_id: str, role: str) -> None:
    await users.create(
        conn,
        username=f"u-{user_id[:8]}",
        display_name=f"U {user_id[:4]}",
        password_hash="x",
        role=role,
        topics=["talk"],
        languages=["en"],
    )
    await conn.execute("update users set id = $2::uuid where username = $1", f"u-{user_id[:8]}", user_id)


async def test_the_sql_copy_of_the_write_rule_agrees_cell_by_cell(backends) -> None:
    conn = await asyncpg.connect(backends.database_url)
    try:
        for name, role in (("listener", LISTENER), ("supervisor", SUPERVISOR), ("other", LISTENER)):
            await _user(conn, IDS[name], role)
        seeker_id = await seekers.create(conn, "en")
        await conn.execute("update seekers set id = $2::uuid where id = $1::uuid", seeker_id, IDS["seeker"])
        for role, relation, read, write, _moderate in TABLE:
            actor, wanted = scene(role, relation)
            await conn.execute("delete from conversations")
            conv = await conversations.create(conn, IDS["seeker"], "talk", "en")
            await conversations.assign(conn, conv.id, IDS["listener"])
            if wanted.listener_id is None:
                await conversations.take_over(conn, conv.id, IDS["supervisor"])
            joined = bool(actor.joined)
            actor.joined = {conv.id} if joined else set()
            sql_role = Role.SUPERVISOR if actor.is_supervisor else actor.role  # as the chat passes it
            allowed = await conversations.may_write(conn, conv.id, role=sql_role, actor_id=actor.id, joined=joined)
            assert allowed is write, (role, relation)
            # and the Python rule on the row as stored says the same
            stored = await conversations.get(conn, conv.id)
            assert stored is not None
            assert may(actor, stored, Access.WRITE) is write, (role, relation)
            if read:
                assert (await access_conversation(conn, actor, conv.id, Access.READ)).id == conv.id
            else:
                with pytest.raises(ProtocolError):
                    await access_conversation(conn, actor, conv.id, Access.READ)
    finally:
        await conn.execute("delete from conversations")
        await conn.close()
