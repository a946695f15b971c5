"""Every SQL statement the support groups need (migration 0005); message bodies sealed like one-to-one's.

A group message's body is sealed with its session's id as associated data (``server.crypto``), so a
body copied into another session does not open. Each session keeps ``last_seq``; a message takes the
next one while the session row is locked, so ``seq`` has no gaps and no repeats.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import asyncpg

from server.security.crypto import cipher
from server.store.rows import bind
from server.timefmt import iso
from server.vocabulary import GroupSessionState, GroupSessionStatus

T = TypeVar("T")
JOIN_EARLY = timedelta(minutes=10)  # members may take their seat this long before the start


@dataclass(frozen=True, slots=True)
class Timing:
    """A session's clock from its row: when it ends and what state it is in now."""

    starts_at: datetime
    duration_min: int
    status: str  # the row's: scheduled | ended | cancelled

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_min)

    def state(self, now: datetime | None = None) -> GroupSessionState:
        now = now or datetime.now(UTC)
        if self.status == GroupSessionStatus.CANCELLED:
            return GroupSessionState.CANCELLED
        if self.status == GroupSessionStatus.ENDED or now >= self.ends_at:
            return GroupSessionState.ENDED
        if now < self.starts_at - JOIN_EARLY:
            return GroupSessionState.UPCOMING
        return GroupSessionState.OPEN


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    topic: str
    language: str
    title: str
    description: str
    guidelines: str
    capacity: int
    cancelled_at: datetime | None
    facilitators: tuple[tuple[str, str], ...]  # (user id, display name)

    def to_wire(self) -> dict[str, Any]:
        return {
            "group_id": self.id,
            "topic": self.topic,
            "language": self.language,
            "title": self.title,
            "description": self.description,
            "guidelines": self.guidelines,
            "capacity": self.capacity,
            "cancelled": self.cancelled_at is not None,
            "facilitators": [{"display_name": name} for _, name in self.facilitators],
        }


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    group_id: str
    starts_at: datetime
    duration_min: int
    drop_in: bool
    status: str
    pinned: bool
    last_seq: int
    ended_at: datetime | None
    topic: str
    language: str
    title: str
    description: str
    guidelines: str
    capacity: int
    seated: int  # members holding a seat (joined), facilitators not counted

    @property
    def timing(self) -> Timing:
        return Timing(self.starts_at, self.duration_min, self.status)

    def to_wire(self, now: datetime | None = None) -> dict[str, Any]:
        return {
            "session_id": self.id,
            "group_id": self.group_id,
            "title": self.title,
            "topic": self.topic,
            "language": self.language,
            "description": self.description,
            "guidelines": self.guidelines,
            "starts_at": iso(self.starts_at),
            "ends_at": iso(self.timing.ends_at),
            "duration_min": self.duration_min,
            "drop_in": self.drop_in,
            "state": str(self.timing.state(now)),
            "capacity": self.capacity,
            "seats_left": max(0, self.capacity - self.seated),
            "pinned": self.pinned,
            "last_seq": self.last_seq,
        }


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    session_id: str
    seeker_id: str | None
    user_id: str | None
    alias: str
    role: str
    status: str
    muted: bool
    joined_after_seq: int

    def to_wire(self) -> dict[str, Any]:
        return {"member_id": self.id, "alias": self.alias, "role": self.role, "muted": self.muted}


@dataclass(frozen=True, slots=True)
class GroupMessage:
    id: str
    session_id: str
    seq: int
    member_id: str
    client_id: str
    text: str
    sent_at: datetime
    deleted_at: datetime | None
    delete_reason: str | None
    erased_at: datetime | None
    alias: str
    role: str

    def to_wire(self, *, staff: bool = False) -> dict[str, Any]:
        """A deleted message is a tombstone for members (its place in ``seq`` stays); supervisors also
        see its words and the reason. An erased one has no words left for anyone."""
        hidden = self.erased_at is not None or (self.deleted_at is not None and not staff)
        wire: dict[str, Any] = {
            "session_id": self.session_id,
            "id": self.id,
            "seq": self.seq,
            "client_id": self.client_id,
            "member_id": self.member_id,
            "alias": self.alias,
            "role": self.role,
            "text": None if hidden else self.text,
            "sent_at": iso(self.sent_at),
            "deleted": self.deleted_at is not None,
            "erased": self.erased_at is not None,
        }
        if staff and self.deleted_at is not None:
            wire["delete_reason"] = self.delete_reason
        return wire


async def _created(read: Awaitable[T | None]) -> T:
    """The row just written, read back; it is there, or the transaction it was written in failed."""
    found = await read
    if found is None:
        raise RuntimeError("a row just written is not there")
    return found


# -- groups ------------------------------------------------------------------------------------------
_GROUP = (
    "select g.id::text as id, g.topic, g.language, g.title, g.description, g.guidelines, g.capacity, g.cancelled_at,"
    " coalesce((select array_agg(array[u.id::text, u.display_name] order by u.display_name)"
    "  from group_facilitators f join users u on u.id = f.user_id where f.group_id = g.id), '{}') as facilitators"
    " from groups g"
)


def _group(row: asyncpg.Record | None) -> Group | None:
    if row is None:
        return None
    return bind(Group, row, facilitators=tuple((pair[0], pair[1]) for pair in row["facilitators"]))


async def create_group(
    conn: asyncpg.Connection,
    *,
    topic: str,
    language: str,
    title: str,
    description: str,
    guidelines: str,
    capacity: int,
    facilitators: list[str],
    created_by: str | None,
) -> Group:
    async with conn.transaction():
        gid = await conn.fetchval(
            "insert into groups (topic, language, title, description, guidelines, capacity, created_by)"
            " values ($1, $2, $3, $4, $5, $6, $7::uuid) returning id::text",
            topic,
            language,
            title,
            description,
            guidelines,
            capacity,
            created_by,
        )
        await set_facilitators(conn, gid, facilitators)
    return await _created(get_group(conn, gid))


async def set_facilitators(conn: asyncpg.Connection, group_id: str, user_ids: list[str]) -> None:
    await conn.execute("delete from group_facilitators where group_id = $1::uuid", group_id)
    await conn.execute(
        "insert into group_facilitators (group_id, user_id) select $1::uuid, unnest($2::uuid[]) on conflict do nothing",
        group_id,
        user_ids,
    )


async def get_group(conn: asyncpg.Connection, group_id: str) -> Group | None:
    return _group(await conn.fetchrow(f"{_GROUP} where g.id = $1::uuid", group_id))


async def list_groups(conn: asyncpg.Connection, *, include_cancelled: bool = False) -> list[Group]:
    rows = await conn.fetch(f"{_GROUP} where $1 or g.cancelled_at is null order by g.created_at", include_cancelled)
    return [g for g in map(_group, rows) if g is not None]


async def update_group(conn: asyncpg.Connection, group_id: str, fields: dict[str, Any]) -> Group | None:
    """``fields`` names what changes (topic, language, title, description, guidelines, capacity); the rest stays."""
    await conn.execute(
        "update groups set topic = coalesce($2, topic), language = coalesce($3, language),"
        " title = coalesce($4, title), description = coalesce($5, description),"
        " guidelines = coalesce($6, guidelines), capacity = coalesce($7::int, capacity) where id = $1::uuid",
        group_id,
        fields.get("topic"),
        fields.get("language"),
        fields.get("title"),
        fields.get("description"),
        fields.get("guidelines"),
        fields.get("capacity"),
    )
    return await get_group(conn, group_id)


async def cancel_group(conn: asyncpg.Connection, group_id: str) -> list[str]:
    """The group and its sessions that have not ended; the ids of the sessions cancelled."""
    async with conn.transaction():
        await conn.execute(
            "update groups set cancelled_at = coalesce(cancelled_at, now()) where id = $1::uuid", group_id
        )
        rows = await conn.fetch(
            "update group_sessions set status = 'cancelled', ended_at = now(), ended_by = 'cancelled'"
            " where group_id = $1::uuid and status = 'scheduled'"
            " and starts_at + make_interval(mins => duration_min) > now() returning id::text as id",
            group_id,
        )
    return [r["id"] for r in rows]


async def is_facilitator_of(conn: asyncpg.Connection, user_id: str, group_id: str) -> bool:
    return bool(
        await conn.fetchval(
            "select true from group_facilitators f join users u on u.id = f.user_id"
            " where f.group_id = $1::uuid and f.user_id = $2::uuid and u.facilitator and u.active",
            group_id,
            user_id,
        )
    )


async def facilitator_ids(conn: asyncpg.Connection, group_id: str) -> list[str]:
    rows = await conn.fetch("select user_id::text as id from group_facilitators where group_id = $1::uuid", group_id)
    return [r["id"] for r in rows]


async def facilitator_capable(conn: asyncpg.Connection, user_ids: list[str]) -> list[str]:
    """Of these users, the active staff who hold the ``facilitator`` capability."""
    rows = await conn.fetch(
        "select id::text as id from users where id = any($1::uuid[]) and facilitator and active", user_ids
    )
    return [r["id"] for r in rows]


# -- sessions ----------------------------------------------------------------------------------------
_SESSION = (
    "select s.id::text as id, s.group_id::text as group_id, s.starts_at, s.duration_min, s.drop_in, s.status,"
    " s.pinned, s.last_seq, s.ended_at, g.topic, g.language, g.title, g.description, g.guidelines, g.capacity,"
    " (select count(*) from group_members m where m.session_id = s.id and m.status = 'joined' and m.role = 'member')"
    " as seated from group_sessions s join groups g on g.id = s.group_id"
)


def _session(row: asyncpg.Record | None) -> Session | None:
    return None if row is None else bind(Session, row)


async def create_session(
    conn: asyncpg.Connection, group_id: str, *, starts_at: datetime | None, duration_min: int
) -> Session:
    sid = await conn.fetchval(
        "insert into group_sessions (group_id, starts_at, duration_min, drop_in)"
        " values ($1::uuid, coalesce($2, now()), $3, $2 is null) returning id::text",
        group_id,
        starts_at,
        duration_min,
    )
    return await _created(get_session(conn, sid))


async def get_session(conn: asyncpg.Connection, session_id: str, *, lock: bool = False) -> Session | None:
    if lock:
        await conn.execute("select 1 from group_sessions where id = $1::uuid for update", session_id)
    return _session(await conn.fetchrow(f"{_SESSION} where s.id = $1::uuid", session_id))


async def lock_session(conn: asyncpg.Connection, session_id: str) -> Timing | None:
    """The session row locked for a write (its timing only: one round trip)."""
    row = await conn.fetchrow(
        "select starts_at, duration_min, status from group_sessions where id = $1::uuid for update", session_id
    )
    return None if row is None else bind(Timing, row)


async def listed_sessions(conn: asyncpg.Connection, *, limit: int = 200) -> list[Session]:
    """Open and upcoming sessions of groups not cancelled, soonest first."""
    rows = await conn.fetch(
        f"{_SESSION} where s.status = 'scheduled' and g.cancelled_at is null"
        " and s.starts_at + make_interval(mins => s.duration_min) > now() order by s.starts_at limit $1",
        limit,
    )
    return [s for s in map(_session, rows) if s is not None]


async def sessions_of_group(conn: asyncpg.Connection, group_id: str) -> list[Session]:
    rows = await conn.fetch(f"{_SESSION} where s.group_id = $1::uuid order by s.starts_at", group_id)
    return [s for s in map(_session, rows) if s is not None]


async def end_session(conn: asyncpg.Connection, session_id: str, *, by: str, status: str = "ended") -> bool:
    return bool(
        await conn.fetchval(
            "update group_sessions set status = $2, ended_at = now(), ended_by = $3"
            " where id = $1::uuid and status = 'scheduled' returning true",
            session_id,
            status,
            by,
        )
    )


async def end_overdue(conn: asyncpg.Connection) -> list[str]:
    """Sessions whose time ran out: ended at their ``ends_at`` (so retention counts from then)."""
    rows = await conn.fetch(
        "update group_sessions set status = 'ended', ended_by = 'time',"
        " ended_at = starts_at + make_interval(mins => duration_min)"
        " where status = 'scheduled' and starts_at + make_interval(mins => duration_min) <= now()"
        " returning id::text as id"
    )
    return [r["id"] for r in rows]


async def set_pinned(conn: asyncpg.Connection, session_id: str, pinned: bool) -> None:
    await conn.execute("update group_sessions set pinned = $2 where id = $1::uuid", session_id, pinned)


# -- members -----------------------------------------------------------------------------------------
_MEMBER_COLUMNS = (
    "id::text as id, session_id::text as session_id, seeker_id::text as seeker_id, user_id::text as user_id,"
    " alias, role, status, muted, joined_after_seq"
)
_MEMBER = f"select {_MEMBER_COLUMNS} from group_members"


def _member(row: asyncpg.Record | None) -> Member | None:
    return None if row is None else bind(Member, row)


class AliasTaken(Exception):
    """Another member of the session already goes by this alias."""


async def member_for(
    conn: asyncpg.Connection, session_id: str, *, seeker_id: str | None, user_id: str | None
) -> Member | None:
    if seeker_id is not None:
        row = await conn.fetchrow(
            f"{_MEMBER} where session_id = $1::uuid and seeker_id = $2::uuid", session_id, seeker_id
        )
    else:
        row = await conn.fetchrow(f"{_MEMBER} where session_id = $1::uuid and user_id = $2::uuid", session_id, user_id)
    return _member(row)


async def get_member(conn: asyncpg.Connection, member_id: str) -> Member | None:
    return _member(await conn.fetchrow(f"{_MEMBER} where id = $1::uuid", member_id))


async def alias_in_use(conn: asyncpg.Connection, session_id: str, alias: str, *, except_member: str | None) -> bool:
    return bool(
        await conn.fetchval(
            "select true from group_members where session_id = $1::uuid and lower(alias) = lower($2)"
            " and role = 'member' and ($3::uuid is null or id <> $3::uuid)",
            session_id,
            alias,
            except_member,
        )
    )


async def seat_member(
    conn: asyncpg.Connection, session_id: str, *, seeker_id: str | None, user_id: str | None, alias: str, role: str
) -> Member:
    """A new member row, or a member who had left sitting down again (under the alias given now).
    Members see the session from the next message on, not what was said before they came."""
    try:
        row = await conn.fetchrow(
            "insert into group_members (session_id, seeker_id, user_id, alias, role, joined_after_seq)"
            " values ($1::uuid, $2::uuid, $3::uuid, $4, $5,"
            "  case when $5 = 'member' then (select last_seq from group_sessions where id = $1::uuid) else 0 end)"
            " on conflict (session_id, seeker_id) where seeker_id is not null do update"
            "  set status = 'joined', alias = excluded.alias, left_at = null,"
            "  joined_after_seq = excluded.joined_after_seq"
            "  where group_members.status = 'left'"
            " returning id::text as id",
            session_id,
            seeker_id,
            user_id,
            alias,
            role,
        )
    except asyncpg.UniqueViolationError:
        raise AliasTaken from None
    if row is None:
        return await _created(member_for(conn, session_id, seeker_id=seeker_id, user_id=user_id))
    return await _created(get_member(conn, row["id"]))


async def seat_staff(conn: asyncpg.Connection, session_id: str, user_id: str, alias: str) -> Member:
    row = await conn.fetchrow(
        "insert into group_members (session_id, user_id, alias, role) values ($1::uuid, $2::uuid, $3, 'facilitator')"
        " on conflict (session_id, user_id) where user_id is not null do update set status = 'joined', left_at = null"
        " returning id::text as id",
        session_id,
        user_id,
        alias,
    )
    return await _created(get_member(conn, row["id"]))


async def seated_seekers(conn: asyncpg.Connection, session_id: str) -> list[str]:
    rows = await conn.fetch(
        "select seeker_id::text as seeker_id from group_members where session_id = $1::uuid and status = 'joined'"
        " and role = 'member'",
        session_id,
    )
    return [r["seeker_id"] for r in rows]


async def present_members(conn: asyncpg.Connection, session_id: str) -> list[Member]:
    rows = await conn.fetch(
        f"{_MEMBER} where session_id = $1::uuid and status = 'joined' order by role desc, joined_at", session_id
    )
    return [m for m in map(_member, rows) if m is not None]


async def set_status(conn: asyncpg.Connection, member_id: str, status: str) -> Member | None:
    return _member(
        await conn.fetchrow(
            "update group_members set status = $2, left_at = now() where id = $1::uuid and status = 'joined'"
            f" returning {_MEMBER_COLUMNS}",
            member_id,
            status,
        )
    )


async def leave_absent(conn: asyncpg.Connection, member_id: str) -> Member | None:
    """A seated member (not a facilitator) marked ``left`` because none of their sockets is live; None
    when they are not seated any more, or lead the session."""
    return _member(
        await conn.fetchrow(
            "update group_members set status = 'left', left_at = now()"
            f" where id = $1::uuid and status = 'joined' and role = 'member' returning {_MEMBER_COLUMNS}",
            member_id,
        )
    )


async def set_muted(conn: asyncpg.Connection, member_id: str, muted: bool) -> Member | None:
    return _member(
        await conn.fetchrow(
            f"update group_members set muted = $2 where id = $1::uuid returning {_MEMBER_COLUMNS}",
            member_id,
            muted,
        )
    )


# -- messages ----------------------------------------------------------------------------------------
_MESSAGE_COLUMNS = (  # of group_messages {t}, with its writer's alias and role from group_members m
    "{t}.id::text as id, {t}.session_id::text as session_id, {t}.seq, {t}.member_id::text as member_id,"
    " {t}.client_id, {t}.text, {t}.sent_at, {t}.deleted_at, {t}.delete_reason, {t}.erased_at, m.alias, m.role"
)
_MESSAGE = (
    f"select {_MESSAGE_COLUMNS.format(t='gm')} from group_messages gm join group_members m on m.id = gm.member_id"
)


def _message(row: asyncpg.Record | None) -> GroupMessage | None:
    if row is None:
        return None
    text = cipher().open(row["text"], row["session_id"]) if row["erased_at"] is None else ""
    return bind(GroupMessage, row, text=text)


async def by_client_id(conn: asyncpg.Connection, member_id: str, client_id: str) -> GroupMessage | None:
    return _message(
        await conn.fetchrow(f"{_MESSAGE} where gm.member_id = $1::uuid and gm.client_id = $2", member_id, client_id)
    )


async def append(conn: asyncpg.Connection, session_id: str, member_id: str, client_id: str, text: str) -> GroupMessage:
    """The next ``seq`` and the row in one statement; call it with the session row locked."""
    row = await conn.fetchrow(
        "with s as (update group_sessions set last_seq = last_seq + 1 where id = $1::uuid returning last_seq),"
        " i as (insert into group_messages (session_id, seq, member_id, client_id, text)"
        "  select $1::uuid, s.last_seq, $2::uuid, $3, $4 from s returning *)"
        f" select {_MESSAGE_COLUMNS.format(t='i')} from i join group_members m on m.id = i.member_id",
        session_id,
        member_id,
        client_id,
        cipher().seal(text, session_id),
    )
    message = _message(row)
    if message is None:
        raise RuntimeError("the group session to append to is not there")
    return message


_POST = """
with s as (
    select id from group_sessions where id = $1::uuid and status = 'scheduled'
      and starts_at + make_interval(mins => duration_min) > now() for update
), ok as (
    select 1 from s, group_members m where m.id = $2::uuid and m.session_id = $1::uuid and m.status = 'joined'
      and not m.muted and ($5::int is null or $5::int = coalesce((select g.seq from group_messages g
        where g.member_id = $2::uuid order by g.seq desc limit 1), 0))
), b as (
    update group_sessions set last_seq = last_seq + 1 where id = $1::uuid and exists (select 1 from ok)
    returning last_seq
), i as (
    insert into group_messages (session_id, seq, member_id, client_id, text)
    select $1::uuid, b.last_seq, $2::uuid, $3, $4 from b returning *
)
select {columns}
from i join group_members m on m.id = i.member_id
""".format(columns=_MESSAGE_COLUMNS.format(t="i"))


async def post(
    conn: asyncpg.Connection, session_id: str, member_id: str, client_id: str, text: str, newest_seq: int | None
) -> GroupMessage | None:
    """One statement, no explicit transaction: the session row locked, the member still seated and not
    muted, the session open and (``newest_seq``) the member's newest message still the one the detector's
    window ends with — then the next ``seq`` and the row. None when any of that does not hold (the caller
    takes the transactional path, which says why). A repeated ``client_id`` raises UniqueViolationError."""
    return _message(
        await conn.fetchrow(_POST, session_id, member_id, client_id, cipher().seal(text, session_id), newest_seq)
    )


async def last_seq(conn: asyncpg.Connection, session_id: str) -> int:
    return int(await conn.fetchval("select last_seq from group_sessions where id = $1::uuid", session_id) or 0)


async def get_message(conn: asyncpg.Connection, message_id: str) -> GroupMessage | None:
    return _message(await conn.fetchrow(f"{_MESSAGE} where gm.id = $1::uuid", message_id))


async def after(conn: asyncpg.Connection, session_id: str, after_seq: int, *, limit: int = 5000) -> list[GroupMessage]:
    rows = await conn.fetch(
        f"{_MESSAGE} where gm.session_id = $1::uuid and gm.seq > $2 order by gm.seq limit $3",
        session_id,
        after_seq,
        limit,
    )
    return [m for m in map(_message, rows) if m is not None]


async def member_window(conn: asyncpg.Connection, member_id: str, size: int) -> tuple[list[str], int]:
    """The detector's window: this member's last ``size`` messages still standing, oldest first, and
    the seq of their newest message (0 when none), checked again under the session's lock."""
    rows = await conn.fetch(
        "select seq, session_id::text, text, deleted_at is null and erased_at is null as standing"
        " from group_messages where member_id = $1::uuid order by seq desc limit $2",
        member_id,
        max(size, 1),
    )
    newest = int(rows[0]["seq"]) if rows else 0
    kept = [r for r in rows[:size] if r["standing"]] if size > 0 else []
    return [cipher().open(r["text"], r["session_id"]) for r in reversed(kept)], newest


async def newest_seq_of(conn: asyncpg.Connection, member_id: str) -> int:
    return int(
        await conn.fetchval(
            "select seq from group_messages where member_id = $1::uuid order by seq desc limit 1", member_id
        )
        or 0
    )


async def mark_deleted(conn: asyncpg.Connection, message_id: str, by: str, reason: str) -> GroupMessage | None:
    await conn.execute(
        "update group_messages set deleted_at = now(), deleted_by = $2::uuid, delete_reason = $3"
        " where id = $1::uuid and deleted_at is null",
        message_id,
        by,
        reason,
    )
    return await get_message(conn, message_id)


async def erase_member(conn: asyncpg.Connection, member_id: str) -> int:
    """The member's words go (their places in ``seq`` stay, empty); escalations keep their facts only."""
    async with conn.transaction():
        erased = await conn.fetchval(
            "with e as (update group_messages set text = '', erased_at = now()"
            " where member_id = $1::uuid and erased_at is null returning 1) select count(*) from e",
            member_id,
        )
        await conn.execute("update escalations set evidence = '[]' where group_member_id = $1::uuid", member_id)
    return int(erased)


async def add_report(
    conn: asyncpg.Connection, session_id: str, message_id: str, reported_by: str, reason: str | None
) -> str:
    return await conn.fetchval(
        "insert into group_reports (session_id, message_id, reported_by, reason)"
        " values ($1::uuid, $2::uuid, $3::uuid, $4) returning id::text",
        session_id,
        message_id,
        reported_by,
        reason,
    )


async def purge(conn: asyncpg.Connection, retention_hours: float) -> int:
    """Group transcripts go ``retention_hours`` after their session ended (or was cancelled, or ran out
    of time); a message an escalation cites stays with the escalation. Reports lose their message."""
    return int(
        await conn.fetchval(
            "with d as (delete from group_messages gm using group_sessions s where s.id = gm.session_id"
            " and coalesce(s.ended_at, s.starts_at + make_interval(mins => s.duration_min))"
            "  < now() - make_interval(secs => $1::float8 * 3600)"
            " and (s.status <> 'scheduled' or s.starts_at + make_interval(mins => s.duration_min) < now())"
            " and not exists (select 1 from escalations e where e.group_message_id = gm.id) returning 1)"
            " select count(*) from d",
            retention_hours,
        )
    )


async def remove_member(conn: asyncpg.Connection, member_id: str) -> None:
    """Removed by a facilitator: out of the session, and the row says so, so they cannot join it again."""
    await conn.execute(
        "update group_members set status = 'removed', left_at = coalesce(left_at, now()) where id = $1::uuid",
        member_id,
    )
