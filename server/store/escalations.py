"""Escalations: every call for help, with its acknowledge / resolve history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from server.security.crypto import cipher
from server.store.rows import bind
from server.timefmt import iso
from server.vocabulary import severity_rank, sql_severity_rank


@dataclass(frozen=True, slots=True)
class Escalation:
    id: str
    conversation_id: str | None  # None for an escalation about a member of a support group
    source: str
    category: str | None
    severity: str
    evidence: list[dict[str, Any]]
    reason: str | None
    status: str
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    outcome: str | None
    note: str | None
    listener_name: str | None
    acknowledged_by_name: str | None
    last_alerted_at: datetime
    paged_at: datetime | None
    # the supervisor who took the conversation over (then there is no listener any more)
    taken_over_by_name: str | None = None
    updated_at: datetime | None = None  # evidence or severity last changed by a later message
    message_id: str | None = None  # the seeker message that raised it (detector escalations)
    topic: str | None = None  # the conversation's, so a supervisor sees at once who they would be helping
    language: str | None = None
    # a support group's escalation (issue 14): the session, the member, the group and the alias shown there
    group_session_id: str | None = None
    group_member_id: str | None = None
    group_id: str | None = None
    group_title: str | None = None
    group_alias: str | None = None
    group_message_id: str | None = None

    @property
    def sealed_with(self) -> str:
        """The associated data its evidence is sealed with: its group session's id when it began in a group
        (it keeps that after ``link_group_member`` gives it the member's one-to-one), else its conversation's."""
        return self.group_session_id or self.conversation_id or ""

    def to_wire(self) -> dict[str, Any]:
        return {
            "escalation_id": self.id,
            "conversation_id": self.conversation_id,
            "source": self.source,
            "category": self.category,
            "severity": self.severity,
            "evidence": self.evidence,
            "reason": self.reason,
            "status": self.status,
            "created_at": iso(self.created_at),
            "acknowledged_at": iso(self.acknowledged_at),
            "acknowledged_by": {"display_name": self.acknowledged_by_name} if self.acknowledged_by_name else None,
            "resolved_at": iso(self.resolved_at),
            "outcome": self.outcome,
            "listener": {"display_name": self.listener_name} if self.listener_name else None,
            "taken_over_by": {"display_name": self.taken_over_by_name} if self.taken_over_by_name else None,
            "updated_at": iso(self.updated_at),
            "topic": self.topic,
            "language": self.language,
            "group": (
                {
                    "group_id": self.group_id,
                    "session_id": self.group_session_id,
                    "member_id": self.group_member_id,
                    "title": self.group_title,
                    "alias": self.group_alias,
                    "message_id": self.group_message_id,
                }
                if self.group_session_id
                else None
            ),
        }


_SELECT = (
    "select e.id::text, e.conversation_id::text, e.source, e.category, e.severity, e.evidence, e.reason, e.status,"
    " e.created_at, e.acknowledged_at, e.resolved_at, e.outcome, e.note, lu.display_name as listener_name,"
    " au.display_name as acknowledged_by_name, e.last_alerted_at, e.paged_at,"
    " case when c.listener_id is null and c.responder_id is not null then ru.display_name end as taken_over_by_name,"
    " e.updated_at, e.message_id::text as message_id, coalesce(c.topic, g.topic) as topic,"
    " coalesce(c.language, g.language) as language, e.group_session_id::text as group_session_id,"
    " e.group_member_id::text as group_member_id, g.id::text as group_id, g.title as group_title,"
    " gm.alias as group_alias, e.group_message_id::text as group_message_id"
    " from escalations e left join conversations c on c.id = e.conversation_id"
    " left join group_sessions gs on gs.id = e.group_session_id left join groups g on g.id = gs.group_id"
    " left join group_members gm on gm.id = e.group_member_id"
    " left join users lu on lu.id = c.listener_id"
    " left join users ru on ru.id = c.responder_id"
    " left join users au on au.id = e.acknowledged_by"
)


@dataclass(frozen=True, slots=True)
class Recorded:
    """What a detector hit did to the conversation's escalations: a new one, or a changed open one
    (``rose``: its severity went up)."""

    created: Escalation | None = None
    updated: Escalation | None = None
    rose: bool = False


def _escalation(row: asyncpg.Record | None) -> Escalation | None:
    if row is None:
        return None
    box = cipher()
    sealed_with = row["group_session_id"] or row["conversation_id"] or ""  # as Escalation.sealed_with
    evidence = [{**e, "text": box.open(e.get("text", ""), sealed_with)} for e in row["evidence"] or []]
    return bind(Escalation, row, evidence=evidence)


async def create(
    conn: asyncpg.Connection,
    *,
    conversation_id: str | None,
    source: str,
    category: str | None,
    severity: str,
    evidence: list[dict[str, Any]],
    message_id: str | None = None,
    reason: str | None = None,
    raised_by: str | None = None,
    group_session_id: str | None = None,
    group_member_id: str | None = None,
    group_message_id: str | None = None,
) -> Escalation:
    """About a conversation, or (``group_*``, no conversation) about a member of a group session."""
    sealed_with = group_session_id or conversation_id
    if sealed_with is None:
        raise ValueError("an escalation is about a conversation or a group session")
    eid = await conn.fetchval(
        "insert into escalations (conversation_id, message_id, source, category, severity, evidence, reason,"
        " raised_by, group_session_id, group_member_id, group_message_id)"
        " values ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8::uuid, $9::uuid, $10::uuid, $11::uuid) returning id::text",
        conversation_id,
        message_id,
        source,
        category,
        severity,
        [{**e, "text": cipher().seal(e.get("text", ""), sealed_with)} for e in evidence],
        reason,
        raised_by,
        group_session_id,
        group_member_id,
        group_message_id,
    )
    found = await get(conn, eid)
    if found is None:
        raise RuntimeError("the escalation just inserted is not there")
    return found


async def get(conn: asyncpg.Connection, escalation_id: str) -> Escalation | None:
    return _escalation(await conn.fetchrow(f"{_SELECT} where e.id = $1::uuid", escalation_id))


async def unresolved_for(conn: asyncpg.Connection, conversation_id: str) -> list[Escalation]:
    rows = await conn.fetch(f"{_SELECT} where e.conversation_id = $1::uuid and e.status <> 'resolved'", conversation_id)
    return [e for e in map(_escalation, rows) if e is not None]


async def listing(conn: asyncpg.Connection, status: str | None, limit: int = 500) -> list[Escalation]:
    if status is None:
        rows = await conn.fetch(f"{_SELECT} order by e.created_at desc limit $1", limit)
    else:
        rows = await conn.fetch(f"{_SELECT} where e.status = $1 order by e.created_at desc limit $2", status, limit)
    return [e for e in map(_escalation, rows) if e is not None]


async def acknowledge(conn: asyncpg.Connection, escalation_id: str, by: str) -> Escalation | None:
    """Open -> acknowledged; acknowledging again changes nothing."""
    await conn.execute(
        "update escalations set status = 'acknowledged', acknowledged_by = $2::uuid, acknowledged_at = now()"
        " where id = $1::uuid and status = 'open'",
        escalation_id,
        by,
    )
    return await get(conn, escalation_id)


async def unresolved_for_group_member(conn: asyncpg.Connection, member_id: str) -> list[Escalation]:
    rows = await conn.fetch(f"{_SELECT} where e.group_member_id = $1::uuid and e.status <> 'resolved'", member_id)
    return [e for e in map(_escalation, rows) if e is not None]


async def link_group_member(conn: asyncpg.Connection, member_id: str, conversation_id: str) -> list[Escalation]:
    """A group member invited to a one-to-one: their unresolved escalations now also name that conversation,
    so its listener sees the crisis and its re-alerts, acks and later evidence are the conversation's too."""
    rows = await conn.fetch(
        "update escalations set conversation_id = $2::uuid, updated_at = now() where group_member_id = $1::uuid"
        " and status <> 'resolved' and conversation_id is null returning id::text as id",
        member_id,
        conversation_id,
    )
    linked = [await get(conn, row["id"]) for row in rows]
    return [e for e in linked if e is not None]


async def open_for(conn: asyncpg.Connection, conversation_id: str) -> list[Escalation]:
    rows = await conn.fetch(
        f"{_SELECT} where e.conversation_id = $1::uuid and e.status = 'open' order by e.created_at", conversation_id
    )
    return [e for e in map(_escalation, rows) if e is not None]


MAX_EVIDENCE_SPANS = 32


async def add_evidence(
    conn: asyncpg.Connection, escalation_id: str, evidence: list[dict[str, Any]], severity: str
) -> Escalation | None:
    """A later message about the same crisis: its words join the escalation's evidence (spans already
    there are not repeated) and the severity rises if the new message is more serious. None when
    nothing changed (the same words again), so supervisors are not told twice."""
    current = await get(conn, escalation_id)
    if current is None:
        return None
    known = {(e.get("text"), e.get("category"), e.get("severity")) for e in current.evidence}
    fresh = [e for e in evidence if (e.get("text"), e.get("category"), e.get("severity")) not in known]
    fresh = fresh[: max(0, MAX_EVIDENCE_SPANS - len(current.evidence))]  # a long chat cannot grow it without bound
    rises = severity_rank(severity) > severity_rank(current.severity)
    if not fresh and not rises:
        return None
    sealed = [{**e, "text": cipher().seal(e.get("text", ""), current.sealed_with)} for e in fresh]
    await conn.execute(
        "update escalations set evidence = evidence || $2::jsonb, updated_at = now(),"
        f" severity = case when {sql_severity_rank('$3::text')} > {sql_severity_rank('severity')}"
        " then $3 else severity end"
        " where id = $1::uuid",
        escalation_id,
        sealed,
        severity,
    )
    return await get(conn, escalation_id)


async def resolve(conn: asyncpg.Connection, escalation_id: str, by: str, outcome: str, note: str) -> Escalation | None:
    """None when it had already been resolved."""
    done = await conn.fetchval(
        "update escalations set status = 'resolved', resolved_by = $2::uuid, resolved_at = now(), outcome = $3,"
        " note = $4, acknowledged_by = coalesce(acknowledged_by, $2::uuid),"
        " acknowledged_at = coalesce(acknowledged_at, now()) where id = $1::uuid and status <> 'resolved'"
        " returning true",
        escalation_id,
        by,
        outcome,
        note,
    )
    return await get(conn, escalation_id) if done else None


async def due_for_realert(conn: asyncpg.Connection, interval_s: float) -> list[Escalation]:
    rows = await conn.fetch(
        f"{_SELECT} where e.status = 'open' and e.last_alerted_at <= now() - make_interval(secs => $1)"
        " order by e.created_at",
        interval_s,
    )
    return [e for e in map(_escalation, rows) if e is not None]


async def unresolved_since(conn: asyncpg.Connection, since: datetime) -> list[tuple[Escalation, str | None]]:
    """Escalations raised since ``since`` and not resolved, each with its conversation's listener id."""
    rows = await conn.fetch(
        f"{_SELECT} where e.created_at >= $1 and e.status <> 'resolved' order by e.created_at", since
    )
    found = [e for e in map(_escalation, rows) if e is not None]
    rows = await conn.fetch(
        "select id::text as id, listener_id::text as listener_id from conversations where id = any($1::uuid[])",
        [e.conversation_id for e in found],
    )
    listeners = {r["id"]: r["listener_id"] for r in rows}
    return [(e, listeners.get(e.conversation_id)) for e in found]


async def mark_alerted(conn: asyncpg.Connection, escalation_ids: list[str]) -> None:
    await conn.execute("update escalations set last_alerted_at = now() where id = any($1::uuid[])", escalation_ids)


PAGE_CLAIM_STALE = "interval '2 minutes'"


async def due_for_page(conn: asyncpg.Connection, after_s: float, no_supervisor: bool) -> list[Escalation]:
    """Open, not yet paged nor being paged: all when no supervisor is online, else those older than after_s."""
    rows = await conn.fetch(
        f"{_SELECT} where e.status = 'open' and e.paged_at is null"
        f" and (e.page_claimed_at is null or e.page_claimed_at < now() - {PAGE_CLAIM_STALE})"
        " and ($2 or e.created_at <= now() - make_interval(secs => $1)) order by e.created_at",
        after_s,
        no_supervisor,
    )
    return [e for e in map(_escalation, rows) if e is not None]


async def claim_page(conn: asyncpg.Connection, escalation_id: str, *, renew: bool = False) -> bool:
    """Take (or, while paging, keep) the right to page this escalation; False if another process has it."""
    condition = "true" if renew else f"(page_claimed_at is null or page_claimed_at < now() - {PAGE_CLAIM_STALE})"
    return bool(
        await conn.fetchval(
            f"update escalations set page_claimed_at = now() where id = $1::uuid and paged_at is null"
            f" and {condition} returning true",
            escalation_id,
        )
    )


async def mark_paged(conn: asyncpg.Connection, escalation_id: str) -> None:
    await conn.execute("update escalations set paged_at = now() where id = $1::uuid", escalation_id)


async def count_unresolved(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("select count(*) from escalations where status <> 'resolved'")


async def false_alarms(conn: asyncpg.Connection, limit: int = 1000) -> list[asyncpg.Record]:
    return await conn.fetch(
        "select e.id::text, e.created_at, e.category, e.severity, e.evidence, e.note from escalations e"
        " where e.outcome = 'false_alarm' order by e.created_at desc limit $1",
        limit,
    )


async def rotate_keys(conn: asyncpg.Connection) -> int:
    """Re-seal evidence spans not sealed with the current key (they hold words from the chat)."""
    box = cipher()
    done = 0
    async with conn.transaction():
        rows = await conn.fetch(
            "select id, coalesce(group_session_id, conversation_id)::text as conversation_id, evidence"
            " from escalations where evidence <> '[]' for update"
        )
        for row in rows:
            evidence = row["evidence"]
            if not any(box.needs_rotation(e.get("text", "")) for e in evidence):
                continue
            resealed = [
                {**e, "text": box.seal(box.open(e.get("text", ""), row["conversation_id"]), row["conversation_id"])}
                for e in evidence
            ]
            await conn.execute("update escalations set evidence = $2 where id = $1", row["id"], resealed)
            done += 1
    return done


async def resolved_for_training(conn: asyncpg.Connection, since: datetime | None, window: int) -> list[dict[str, Any]]:
    """Resolved escalations with the seeker's window that led to each (the cited message and the
    seeker messages before it), opened for the operator's export. Never logged."""
    rows = await conn.fetch(
        "select e.id::text as id, e.conversation_id::text as conversation_id, e.source, e.category, e.severity,"
        " e.outcome, c.language, m.seq as cited_seq, e.created_at"
        " from escalations e join conversations c on c.id = e.conversation_id"
        " left join messages m on m.id = e.message_id"
        " where e.status = 'resolved' and e.outcome is not null and ($1::timestamptz is null or e.resolved_at >= $1)"
        " order by e.resolved_at",
        since,
    )
    box = cipher()
    out = []
    for row in rows:
        texts = await conn.fetch(
            "select text from messages where conversation_id = $1::uuid and sender = 'seeker'"
            " and ($2::int is null or seq <= $2) and sent_at <= $3 order by seq desc limit $4",
            row["conversation_id"],
            row["cited_seq"],
            row["created_at"],
            window,
        )
        out.append({**dict(row), "messages": [box.open(t["text"], row["conversation_id"]) for t in reversed(texts)]})
    return out
