"""Messages: every stored word, with its per-conversation ``seq`` and its sender's ``client_id``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from server.security.crypto import cipher
from server.store.conversations import Conversation, write_allowed
from server.store.pool import hot
from server.store.rows import bind
from server.timefmt import iso


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    conversation_id: str
    seq: int | None
    after_seq: int
    client_id: str
    sender: str
    sender_id: str | None
    text: str
    visibility: str
    sent_at: datetime
    sender_name: str | None = None  # the sender's display name when it was written (staff only)

    def to_wire(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "id": self.id,
            "seq": self.seq,
            "client_id": self.client_id,
            "sender": self.sender,
            "text": self.text,
            "sent_at": iso(self.sent_at),
            "visibility": self.visibility,
            "sender_name": self.sender_name,
        }


_COLUMNS = (
    "id::text, conversation_id::text, seq, after_seq, client_id, sender, sender_id::text, text, visibility, sent_at,"
    " sender_name"
)
_NIL = "00000000-0000-0000-0000-000000000000"


def _message(row: asyncpg.Record | None) -> Message | None:
    if row is None:
        return None
    return bind(Message, row, text=cipher().open(row["text"], row["conversation_id"]))


async def by_client_id(
    conn: asyncpg.Connection, conversation_id: str, sender_id: str | None, client_id: str
) -> Message | None:
    return _message(
        await conn.fetchrow(
            f"select {_COLUMNS} from messages where conversation_id = $1::uuid"
            f" and coalesce(sender_id, '{_NIL}'::uuid) = coalesce($2::uuid, '{_NIL}'::uuid) and client_id = $3",
            conversation_id,
            sender_id,
            client_id,
        )
    )


async def append(
    conn: asyncpg.Connection,
    *,
    conversation_id: str,
    client_id: str,
    sender: str,
    sender_id: str | None,
    text: str,
    visibility: str,
    sender_name: str | None = None,
) -> Message:
    """Next ``seq`` and the row in one round trip; call it with the conversation row locked.

    A message everyone sees takes the next ``seq``; a staff-only whisper takes none and records the
    ``seq`` it follows (``after_seq``), so ``resume`` can place it.
    """
    row = await conn.fetchrow(
        "with s as (update conversations set last_seq = last_seq + (case when $6 = 'all' then 1 else 0 end)"
        " where id = $1::uuid returning last_seq)"
        " insert into messages (conversation_id, seq, after_seq, client_id, sender, sender_id, text, visibility,"
        " sender_name)"
        " select $1::uuid, case when $6 = 'all' then s.last_seq end, s.last_seq, $2, $3, $4::uuid, $5, $6, $7 from s"
        f" returning {_COLUMNS}",
        conversation_id,
        client_id,
        sender,
        sender_id,
        cipher().seal(text, conversation_id),
        visibility,
        sender_name,
    )
    message = _message(row)
    if message is None:
        raise RuntimeError("insert into messages returned no row")
    return message


async def after(
    conn: asyncpg.Connection, conversation_id: str, after_seq: int, *, include_staff: bool
) -> list[Message]:
    """What a client missed: seq > after_seq ascending; for staff, whispers stored after that seq too."""
    if include_staff:
        rows = await conn.fetch(
            f"select {_COLUMNS} from messages where conversation_id = $1::uuid"
            f" and (seq > $2 or (seq is null and after_seq >= $2))"
            f" order by coalesce(seq, after_seq), seq nulls last, sent_at",
            conversation_id,
            after_seq,
        )
    else:
        rows = await conn.fetch(
            f"select {_COLUMNS} from messages where conversation_id = $1::uuid and seq > $2 order by seq",
            conversation_id,
            after_seq,
        )
    return [m for m in map(_message, rows) if m is not None]


async def rotate_keys(conn: asyncpg.Connection, batch: int = 500) -> int:
    """Re-seal every body not sealed with the current key (plain text included), in batches."""
    box = cipher()
    done = 0
    while True:
        async with conn.transaction():
            rows = await conn.fetch(
                "select id, conversation_id::text, text from messages"
                " where text not like $1 order by id limit $2 for update skip locked",
                f"enc:v1:{box.current_id}:%",
                batch,
            )
            for row in rows:
                plain = box.open(row["text"], row["conversation_id"])
                await conn.execute(
                    "update messages set text = $2 where id = $1", row["id"], box.seal(plain, row["conversation_id"])
                )
        done += len(rows)
        if len(rows) < batch:
            return done


_WINDOW = hot(
    "select seq, text from messages where conversation_id = $1::uuid and sender = 'seeker' order by seq desc limit $2"
)


async def recent_seeker_texts(conn: asyncpg.Connection, conversation_id: str, limit: int) -> tuple[list[str], int]:
    """The detector's window: the seeker's last ``limit`` messages, oldest first, and the seq of the
    newest seeker message (0 when there is none), which ``post`` checks with ``newest_seeker_seq``."""
    rows = await conn.fetch(_WINDOW, conversation_id, max(limit, 1))
    newest = int(rows[0]["seq"] or 0) if rows else 0
    kept = rows[:limit] if limit > 0 else []
    return [cipher().open(r["text"], conversation_id) for r in reversed(kept)], newest


async def newest_seeker_seq(conn: asyncpg.Connection, conversation_id: str) -> int:
    """The seq of the seeker's newest stored message (0 when there is none): the window's own query."""
    _, newest = await recent_seeker_texts(conn, conversation_id, 0)
    return newest


@dataclass(frozen=True, slots=True)
class Posted:
    """What the one-statement post found: the conversation (None when unknown), whether the caller may
    write to it, and the message — the new one, or the first copy of a retry (``duplicate``)."""

    conversation: Conversation | None
    allowed: bool
    message: Message | None
    duplicate: bool
    stale: bool = False  # nothing written: the seeker's newest stored message is not the one expected


_M = (
    "id",
    "conversation_id",
    "seq",
    "after_seq",
    "client_id",
    "sender",
    "sender_id",
    "text",
    "visibility",
    "sent_at",
    "sender_name",
)


def _prefixed(prefix: str) -> str:
    casts = {"id": "::text", "conversation_id": "::text", "sender_id": "::text"}
    return ", ".join(f"{prefix}.{c}{casts.get(c, '')} as {prefix}_{c}" for c in _M)


# One round trip, no explicit transaction: the conversation row is locked by the statement itself, the
# access rule decides whether anything is written, a retry finds its first copy, and the next seq and
# the row are written together (a single statement is atomic). Concurrent retries of one client_id
# can both miss the first copy (one snapshot per statement); the unique index then refuses the
# second, and the caller falls back to the transactional path. With $10 (a seeker's message assessed
# on a window kept in the process), nothing is written unless the seeker's newest stored message is
# still the one that window ends with (``stale``): the caller then rebuilds the window and assesses again.
_POST = f"""
with conv as (
    select c.*, {write_allowed("c", role="$7", actor="$3", joined="$8")} as allowed,
      $10::bigint is null or $10::bigint = coalesce((select m.seq from messages m
        where m.conversation_id = $1::uuid and m.sender = 'seeker' order by m.seq desc limit 1), 0) as fresh
    from conversations c where c.id = $1::uuid for update
), dup as (
    select m.* from messages m, conv where conv.allowed and m.conversation_id = $1::uuid
      and coalesce(m.sender_id, '{_NIL}'::uuid) = $3::uuid and m.client_id = $2
), bump as (
    update conversations c set last_seq = c.last_seq + (case when $6 = 'all' then 1 else 0 end)
    from conv where c.id = conv.id and conv.allowed and conv.status <> 'ended' and conv.fresh
      and not exists (select 1 from dup)
    returning c.last_seq
), ins as (
    insert into messages (conversation_id, seq, after_seq, client_id, sender, sender_id, text, visibility, sender_name)
    select $1::uuid, case when $6 = 'all' then bump.last_seq end, bump.last_seq, $2, $4, $3::uuid, $5, $6, $9
    from bump returning *
)
select conv.id::text as c_id, conv.seeker_id::text as c_seeker_id, conv.topic as c_topic,
       conv.language as c_language, conv.status as c_status, conv.severity as c_severity,
       conv.listener_id::text as c_listener_id, u.display_name as c_responder_name,
       conv.responder_id::text as c_responder_id, conv.last_seq as c_last_seq, conv.created_at as c_created_at,
       conv.queued_at as c_queued_at, conv.assigned_at as c_assigned_at, conv.allowed,
       {_prefixed("d")}, {_prefixed("i")}, conv.fresh
from conv left join users u on u.id = conv.responder_id left join dup d on true left join ins i on true
"""
hot(_POST)


async def post(
    conn: asyncpg.Connection,
    *,
    conversation_id: str,
    client_id: str,
    sender: str,
    sender_id: str,
    role: str,
    joined: bool,
    text: str,
    visibility: str,
    sender_name: str | None = None,
    newest_seeker_seq: int | None = None,
) -> Posted:
    """``newest_seeker_seq``: write only if the seeker's newest stored message still has this seq."""
    row = await conn.fetchrow(
        _POST,
        conversation_id,
        client_id,
        sender_id,
        sender,
        cipher().seal(text, conversation_id),
        visibility,
        role,
        joined,
        sender_name,
        newest_seeker_seq,
    )
    if row is None:
        return Posted(None, False, None, False)
    conversation = bind(Conversation, row, prefix="c_")
    allowed = bool(row["allowed"])
    for prefix, duplicate in (("d_", True), ("i_", False)):
        if row[f"{prefix}id"] is not None:
            text = cipher().open(row[f"{prefix}text"], row[f"{prefix}conversation_id"])
            return Posted(conversation, allowed, bind(Message, row, prefix=prefix, text=text), duplicate)
    return Posted(conversation, allowed, None, False, stale=not row["fresh"])
