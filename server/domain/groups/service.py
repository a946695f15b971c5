"""The support groups' rules applied: who may create, join, speak, moderate, and what happens on risk.

Nothing here knows about sockets: the namespace hands in an ``Actor`` and typed values and gets back
the ack fields (and, for joins, which rooms the socket now reads). The checks run in the protocol's
order — payload (done at the edge), then access (``not_found`` / ``forbidden``), then state
(``conflict``) — and each error carries a ``reason`` so a client can tell "full" from "ended".

A member's message is assessed by the same detector worker as a seeker's one-to-one message
(``AlertChannel.assess``), on that member's own recent messages in the session, *before* it is
stored; the escalation it causes is stored in the same transaction. After commit the member alone is
sent crisis resources, the group's facilitators get ``risk`` naming the alias, and supervisors get the
escalation on their existing channel, where it is re-announced and paged like any other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import socketio
from redis.asyncio import Redis

from escalation.detector import Assessment
from escalation.offload import late_review
from escalation.policy import should_escalate
from matching.keys import KEYS
from matching.presence import Seen
from matching.queue import WaitingQueue
from matching.seats import GroupSeats, SeatsFull
from server.domain.alerts import AlertChannel
from server.domain.assignments import waiting_entry
from server.domain.groups.relay import GROUPS_NS, GroupRelay, session_room, watch_room
from server.domain.groups.rules import TYPING_TTL_MS, check_alias
from server.domain.notify import Notifier
from server.effects import best_effort
from server.errors import ProtocolError, invalid
from server.metrics import ESCALATIONS, LATE_ESCALATIONS
from server.security.sessions import Actor
from server.store import audit, conversations, escalations, messages
from server.store import groups as store
from server.store.groups import GroupMessage, Member, Session
from server.vocabulary import (
    GroupMemberRole,
    GroupMemberStatus,
    GroupSessionState,
    GroupSessionStatus,
    Severity,
    severity_rank,
)

log = logging.getLogger(__name__)


def refused(code: str, reason: str, message: str) -> ProtocolError:
    """A protocol error with the documented ``reason`` (docs/protocol.md, "Support groups")."""
    return ProtocolError(code, message, reason=reason)


# (session id, member id or None, as a watcher, the session's last_seq read just before): put the socket
# in the session's room. Called once
# access is granted and before the history is read, so a message stored in between is not missed
# (it may arrive live as well: clients drop a seq they already have).
Enter = Callable[[str, str | None, bool, int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Seated:
    """What a join, facilitate, watch or resume gives the socket: ack fields and the rooms to read."""

    fields: dict[str, Any]
    session_id: str
    member_id: str | None
    watcher: bool = False


@dataclass(slots=True)
class Detection:
    assessment: Assessment
    review: asyncio.Future[Assessment] | None = None  # the model's own verdict, when the rules answered for it
    created: escalations.Escalation | None = None
    updated: escalations.Escalation | None = None
    rose: bool = False
    newest_at_risk: bool = False


def _seated_answer(
    session: Session, member: Member, members: list[Member], history: list[GroupMessage], *, staff: bool
) -> Seated:
    """The answer to join, facilitate and resume: the session, you, who is here, what you may read."""
    return Seated(
        {
            "session": session.to_wire(),
            "member": member.to_wire(),
            "members": [m.to_wire() for m in members],
            "messages": [m.to_wire(staff=staff) for m in history],
        },
        session.id,
        member.id,
    )


_ATTEMPTS = 3  # reads and assessments of a member's window before the last one is taken under the lock


class _StaleWindow(Exception):
    """The member's window changed after it was assessed: assess it again with no lock held."""


@dataclass
class GroupService:
    pool: asyncpg.Pool
    redis: Redis
    sio: socketio.AsyncServer
    alerts: AlertChannel
    notifier: Notifier
    supervisors: Seen
    queue: WaitingQueue
    resources: dict[str, list[dict[str, Any]]]
    topics: frozenset[str]
    languages: frozenset[str]
    detector_window: int
    # set by the app: pair an invited member's new conversation at once, with anyone (conversation id) or
    # only with a named listener (conversation id, listener id); each returns how many were paired
    pair_waiting: Callable[[str], Awaitable[int]] | None = None
    hand_to: Callable[[str, str], Awaitable[int]] | None = None
    absence_grace_s: float = 120.0  # a member whose sockets all closed keeps their seat this long
    relay: GroupRelay = field(init=False)
    members_seen: Seen = field(init=False)  # member id -> when a process last confirmed a socket of theirs
    _reviews: set[asyncio.Task[None]] = field(init=False, default_factory=set)
    seats: GroupSeats = field(init=False)

    def __post_init__(self) -> None:
        self.relay = GroupRelay(self.redis, self.sio, self._missing)
        self.seats = GroupSeats(self.redis)
        self.members_seen = Seen(self.redis, "group_member")

    # -- access (one function per resource) --------------------------------------------------------
    async def _session(self, conn: asyncpg.Connection, session_id: str, *, lock: bool = False) -> Session:
        session = await store.get_session(conn, session_id, lock=lock)
        if session is None:
            raise refused("not_found", "unknown_session", "no such group session")
        return session

    async def _may_moderate(self, conn: asyncpg.Connection, actor: Actor, group_id: str) -> None:
        """Supervisors moderate every group; a facilitator only the groups they facilitate."""
        if actor.role == "seeker":
            raise refused("forbidden", "staff_only", "only staff may do this")
        if actor.is_supervisor:
            return
        if not await store.is_facilitator_of(conn, actor.id, group_id):
            raise refused("forbidden", "not_facilitator", "you do not facilitate this group")

    async def _membership(self, conn: asyncpg.Connection, actor: Actor, session: Session) -> Member:
        """The actor's seat in this session, if they hold one now."""
        member = await store.member_for(
            conn,
            session.id,
            seeker_id=actor.id if actor.role == "seeker" else None,
            user_id=None if actor.role == "seeker" else actor.id,
        )
        if member is None or member.status == GroupMemberStatus.LEFT:
            raise refused("forbidden", "not_member", "you are not in this session")
        if member.status == GroupMemberStatus.REMOVED:
            raise refused("forbidden", "removed", "you were removed from this session")
        return member

    @staticmethod
    def _open(session: Session) -> None:
        state = session.timing.state()
        if state in (GroupSessionState.ENDED, GroupSessionState.CANCELLED):
            raise refused("conflict", "ended", "the session has ended")

    # -- groups and sessions (staff) ----------------------------------------------------------------
    def _check_group_fields(self, topic: str | None, language: str | None) -> None:
        if topic is not None and topic not in self.topics:
            raise invalid("unknown topic; see /api/topics")
        if language is not None and language not in self.languages:
            raise invalid("unsupported language")

    async def create_group(
        self, actor: Actor, fields: dict[str, Any], facilitators: list[str] | None
    ) -> dict[str, Any]:
        self._check_group_fields(fields["topic"], fields["language"])
        async with self.pool.acquire() as conn:
            if actor.role == "seeker":
                raise refused("forbidden", "staff_only", "only staff may do this")
            if actor.is_supervisor:
                chosen = facilitators or []
            else:
                if not await store.facilitator_capable(conn, [actor.id]):
                    raise refused("forbidden", "not_facilitator", "your account does not facilitate groups")
                chosen = sorted({actor.id, *(facilitators or [])})
            capable = await store.facilitator_capable(conn, chosen)
            if set(capable) != set(chosen):
                raise invalid("every facilitator must be an active staff account with the facilitator capability")
            group = await store.create_group(conn, **fields, facilitators=chosen, created_by=actor.id)
        return {"group": group.to_wire()}

    async def _changeable_group(self, conn: asyncpg.Connection, actor: Actor, group_id: str) -> None:
        """The group exists, this actor leads it (or supervises), and it was not cancelled."""
        group = await store.get_group(conn, group_id)
        if group is None:
            raise refused("not_found", "unknown_group", "no such group")
        await self._may_moderate(conn, actor, group_id)
        if group.cancelled_at is not None:
            raise refused("conflict", "cancelled", "the group was cancelled")

    async def edit_group(
        self, actor: Actor, group_id: str, fields: dict[str, Any], facilitators: list[str] | None
    ) -> dict[str, Any]:
        self._check_group_fields(fields.get("topic"), fields.get("language"))
        async with self.pool.acquire() as conn:
            await self._changeable_group(conn, actor, group_id)
            async with conn.transaction():
                if facilitators is not None:
                    if not actor.is_supervisor and actor.id not in facilitators:
                        raise invalid("a facilitator cannot take themselves off their group; ask a supervisor")
                    capable = await store.facilitator_capable(conn, facilitators)
                    if set(capable) != set(facilitators):
                        raise invalid("every facilitator must be an active staff account with the capability")
                    await store.set_facilitators(conn, group_id, facilitators)
                updated = await store.update_group(conn, group_id, fields)
        if updated is None:
            raise refused("not_found", "unknown_group", "no such group")
        return {"group": updated.to_wire()}

    async def schedule(
        self, actor: Actor, group_id: str, starts_at: datetime | None, duration_min: int
    ) -> dict[str, Any]:
        """A session at ``starts_at``, or (None) a drop-in that opens now."""
        if starts_at is not None and starts_at.tzinfo is None:
            raise invalid("starts_at needs a time zone (ISO-8601 with Z or an offset)")
        async with self.pool.acquire() as conn:
            await self._changeable_group(conn, actor, group_id)
            session = await store.create_session(conn, group_id, starts_at=starts_at, duration_min=duration_min)
        return {"session": session.to_wire()}

    async def cancel_session(self, actor: Actor, session_id: str) -> dict[str, Any]:
        async with self.pool.acquire() as conn:
            session = await self._session(conn, session_id)
            await self._may_moderate(conn, actor, session.group_id)
            if not await store.end_session(conn, session_id, by=_by(actor), status=GroupSessionStatus.CANCELLED):
                raise refused("conflict", "ended", "the session has already ended")
        await self._closed(session_id, "cancelled", by=_by(actor))
        return {}

    async def cancel_group(self, actor: Actor, group_id: str) -> dict[str, Any]:
        async with self.pool.acquire() as conn:
            if await store.get_group(conn, group_id) is None:
                raise refused("not_found", "unknown_group", "no such group")
            await self._may_moderate(conn, actor, group_id)
            cancelled = await store.cancel_group(conn, group_id)
        for session_id in cancelled:
            await self._closed(session_id, "cancelled", by=_by(actor))
        return {"cancelled_sessions": len(cancelled)}

    async def list_groups(self, actor: Actor) -> dict[str, Any]:
        if actor.role == "seeker":
            raise refused("forbidden", "staff_only", "only staff may do this")
        async with self.pool.acquire() as conn:
            groups = await store.list_groups(conn)
            if not actor.is_supervisor:
                groups = [g for g in groups if any(uid == actor.id for uid, _ in g.facilitators)]
            sessions = {g.id: await store.sessions_of_group(conn, g.id) for g in groups}
        return {
            "groups": [
                {
                    **g.to_wire(),
                    "sessions": [s.to_wire() for s in sessions[g.id] if s.status == GroupSessionStatus.SCHEDULED],
                }
                for g in groups
            ]
        }

    async def list_sessions(self) -> dict[str, Any]:
        """Open and upcoming sessions, for anyone (the widget's list): nothing here names a person."""
        async with self.pool.acquire() as conn:
            sessions = await store.listed_sessions(conn)
        now = datetime.now(UTC)
        return {"sessions": [s.to_wire(now) for s in sessions]}

    # -- joining -----------------------------------------------------------------------------------
    async def join(self, actor: Actor, session_id: str, alias_raw: str, accepted: bool, enter: Enter) -> Seated:
        if actor.role != "seeker":
            raise refused("forbidden", "seekers_only", "staff open a session with facilitate or watch")
        if not accepted:
            raise refused("invalid", "guidelines", "accept the group's guidelines to join")
        alias = check_alias(alias_raw, seeker_id=actor.id)
        if alias is None or session_id.replace("-", "") in alias_raw.replace("-", ""):
            raise refused(
                "invalid",
                "alias",
                "an alias is 2-32 letters, digits, spaces or - _ . ' and names no role and no id",
            )
        async with self.pool.acquire() as conn:
            session = await self._session(conn, session_id)
            existing = await store.member_for(conn, session.id, seeker_id=actor.id, user_id=None)
            if existing is not None and existing.status == GroupMemberStatus.REMOVED:
                raise refused("forbidden", "removed", "you were removed from this session")
            self._open(session)
            if existing is not None and existing.status == GroupMemberStatus.JOINED:
                return await self._seated(conn, session, existing, enter)  # a retry, or a second tab
            if session.timing.state() == GroupSessionState.UPCOMING:
                raise refused("conflict", "not_open", "the session has not opened yet")
            if await store.alias_in_use(conn, session.id, alias, except_member=existing.id if existing else None):
                raise refused("conflict", "alias_taken", "another member of this session goes by that alias")

            async def seated() -> list[str]:
                return await store.seated_seekers(conn, session.id)

            try:
                await self.seats.hold(session.id, actor.id, session.capacity, seated)
            except SeatsFull:
                raise refused("conflict", "full", "every seat in this session is taken") from None
            try:
                member = await store.seat_member(
                    conn, session.id, seeker_id=actor.id, user_id=None, alias=alias, role=GroupMemberRole.MEMBER
                )
            except store.AliasTaken:
                await self.seats.release(session.id, actor.id)
                raise refused("conflict", "alias_taken", "another member of this session goes by that alias") from None
            except BaseException:
                await best_effort(self.seats.release(session.id, actor.id), "releasing a seat")
                raise
            result = await self._seated(conn, session, member, enter)
        await self._emit_session(session.id, "member_joined", {"session_id": session.id, "member": member.to_wire()})
        return result

    async def facilitate(self, actor: Actor, session_id: str, enter: Enter) -> Seated:
        """A facilitator takes their place in the room (marked as facilitator, under their display name)."""
        async with self.pool.acquire() as conn:
            session = await self._session(conn, session_id)
            await self._may_moderate(conn, actor, session.group_id)
            self._open(session)
            fresh = await store.member_for(conn, session.id, seeker_id=None, user_id=actor.id)
            member = await store.seat_staff(conn, session.id, actor.id, actor.display_name or "Facilitator")
            result = await self._seated(conn, session, member, enter, staff=True)
        if fresh is None or fresh.status != GroupMemberStatus.JOINED:
            await self._emit_session(
                session.id, "member_joined", {"session_id": session.id, "member": member.to_wire()}
            )
        return result

    async def watch(self, actor: Actor, session_id: str, enter: Enter) -> Seated:
        """A supervisor reads a session live, deleted words included (an audited read)."""
        if not actor.is_supervisor:
            raise refused("forbidden", "supervisors_only", "only supervisors watch sessions")
        async with self.pool.acquire() as conn:
            session = await self._session(conn, session_id)
            await audit.record(
                conn, actor_id=actor.id, actor_role=actor.role, action="group_watch", detail={"session_id": session.id}
            )
            await enter(session.id, None, True, await store.last_seq(conn, session.id))
            history = await store.after(conn, session.id, 0)
            members = await store.present_members(conn, session.id)
        return Seated(
            {
                "session": session.to_wire(),
                "members": [m.to_wire() for m in members],
                "messages": [m.to_wire(staff=True) for m in history],
            },
            session.id,
            None,
            watcher=True,
        )

    async def _seated(
        self, conn: asyncpg.Connection, session: Session, member: Member, enter: Enter, *, staff: bool = False
    ) -> Seated:
        await enter(
            session.id, member.id, False, await store.last_seq(conn, session.id)
        )  # before reading: nothing stored meanwhile can be missed
        await best_effort(self.members_seen.touch([member.id]), "confirming a member's socket")
        history = await store.after(conn, session.id, member.joined_after_seq)
        members = await store.present_members(conn, session.id)
        fresh = await store.get_session(conn, session.id)
        if fresh is None:
            raise refused("not_found", "unknown_session", "no such session")
        return _seated_answer(fresh, member, members, history, staff=staff)

    async def resume(self, actor: Actor, session_id: str, after_seq: int, enter: Enter) -> Seated:
        """What a member missed (seq > after_seq, never before they joined); live messages follow, and
        the first few live ones may repeat the end of this answer: a client drops seq ≤ its last."""
        if actor.is_supervisor:
            async with self.pool.acquire() as conn:
                member = await store.member_for(conn, session_id, seeker_id=None, user_id=actor.id)
            if member is None or member.status != GroupMemberStatus.JOINED:
                watched = await self.watch(actor, session_id, enter)
                watched.fields["messages"] = [m for m in watched.fields["messages"] if m["seq"] > after_seq]
                return watched
        async with self.pool.acquire() as conn:
            session = await self._session(conn, session_id)
            member = await self._membership(conn, actor, session)
            await enter(session.id, member.id, False, await store.last_seq(conn, session.id))
            history = await store.after(conn, session.id, max(after_seq, member.joined_after_seq))
            members = await store.present_members(conn, session.id)
        return _seated_answer(session, member, members, history, staff=member.role == GroupMemberRole.FACILITATOR)

    # -- the room ------------------------------------------------------------------------------------
    async def post(self, actor: Actor, session_id: str, client_id: str, text: str) -> dict[str, Any]:
        """Stored (with any escalation it causes) before it is acknowledged or delivered; a retry with the
        same ``client_id`` acks the first copy and is not delivered again.

        The member's window is read and the detector's verdict awaited with no connection held; then most
        messages take one statement (``store.post``); one that shows risk, or one the statement refused,
        takes the transactional path, which stores the escalation with it (or says what is wrong). If the
        member's window changed meanwhile (their own message stored in between), it is read and assessed
        again *outside* the session's lock: waiting for the detector while holding the lock would stall
        every member of the session behind it, and under load that stall feeds itself.
        Published after commit: the relay puts every process's deliveries in ``seq`` order."""
        for attempt in range(_ATTEMPTS):
            async with self.pool.acquire() as conn:
                session = await self._session(conn, session_id)
                member = await self._membership(conn, actor, session)
                if member.muted:
                    raise refused("forbidden", "muted", "a facilitator muted you in this session: you can still read")
                self._open(session)
                first = await store.by_client_id(conn, member.id, client_id)
                if first is not None:
                    return {"message": first.to_wire()}
                window = None
                if member.role == GroupMemberRole.MEMBER:
                    window = await store.member_window(conn, member.id, self.detector_window - 1)
            verdict = await self._assess([*window[0], text], session.language) if window is not None else None
            newest = window[1] if window is not None else None
            detection = None
            async with self.pool.acquire() as conn:
                try:
                    message: GroupMessage | None = None
                    if verdict is None or not (verdict.assessment.escalate or verdict.assessment.watch):
                        message = await store.post(conn, session.id, member.id, client_id, text, newest)
                    if message is None:
                        last = attempt == _ATTEMPTS - 1
                        message, verdict, detection = await self._post_locked(
                            conn, actor, session, client_id, text, verdict, newest, assess_here=last
                        )
                    break
                except _StaleWindow:
                    if verdict is not None and verdict.review is not None:
                        verdict.review.cancel()  # superseded by the next attempt's verdict
                except asyncpg.UniqueViolationError:  # a concurrent retry of this client_id was stored first
                    first = await store.by_client_id(conn, member.id, client_id)
                    if first is None:
                        raise RuntimeError("a message refused as a duplicate client_id is not stored") from None
                    return {"message": first.to_wire()}
        else:  # unreachable: the last attempt assesses under the lock and never raises _StaleWindow
            raise RuntimeError("a group message was neither stored nor refused")
        wire = message.to_wire()
        await best_effort(self.relay.publish_message(wire, skip_sid=actor.sid), "publishing a group message")
        if detection is not None:
            await self._after_detection(session, member, message, detection)
        self._review_later(session, member, message, detection or verdict)
        return {"message": wire}

    async def _post_locked(
        self,
        conn: asyncpg.Connection,
        actor: Actor,
        session: Session,
        client_id: str,
        text: str,
        verdict: Detection | None,
        window_newest: int | None,
        *,
        assess_here: bool,
    ) -> tuple[GroupMessage, Detection | None, Detection | None]:
        """Under the session's row lock: the precise refusal, or the message with its escalation. A verdict
        taken on a window that is no longer the member's newest raises ``_StaleWindow`` (the caller assesses
        again with no lock held), except on the last attempt (``assess_here``): then the rules judge the
        current window here at once and the model reviews it after commit (never a wait on the detector
        worker with the session locked), so a member racing themselves still gets a verdict on it."""
        async with conn.transaction():
            state = await store.lock_session(conn, session.id)
            member = await self._membership(conn, actor, session)
            if member.muted:
                raise refused("forbidden", "muted", "a facilitator muted you in this session")
            if state is None or state.state() in (GroupSessionState.ENDED, GroupSessionState.CANCELLED):
                raise refused("conflict", "ended", "the session has ended")
            if member.role == GroupMemberRole.MEMBER:
                if verdict is None or await store.newest_seq_of(conn, member.id) != window_newest:
                    if not assess_here:
                        raise _StaleWindow
                    if verdict is not None and verdict.review is not None:
                        verdict.review.cancel()  # its window is superseded
                    texts, _ = await store.member_window(conn, member.id, self.detector_window - 1)
                    verdict = await self._assess([*texts, text], session.language, wait=False)
            else:
                verdict = None
            message = await store.append(conn, session.id, member.id, client_id, text)
            detection = await self._record(conn, session, member, message, verdict) if verdict is not None else None
        return message, verdict, detection

    async def _assess(self, window: list[str], language: str, *, wait: bool = True) -> Detection:
        assessment, review = await self.alerts.assess(window, language, wait=wait)
        newest = len(window) - 1
        shows = any(e.message_index == newest for e in assessment.evidence)
        return Detection(assessment, review=review, newest_at_risk=shows)

    def _review_later(self, session: Session, member: Member, message: GroupMessage, first: Detection | None) -> None:
        """As for a one-to-one message (``ChatService._review_later``): the rules answered in the model's
        place; when the model's verdict comes, a risk the rules missed is escalated then, on the stored message."""
        if first is None or first.review is None:
            return
        task = asyncio.create_task(self._reviewed(session, member, message, first, first.review))
        self._reviews.add(task)
        task.add_done_callback(self._reviews.discard)

    async def _reviewed(
        self,
        session: Session,
        member: Member,
        message: GroupMessage,
        first: Detection,
        review: asyncio.Future[Assessment],
    ) -> None:
        verdict = await late_review(review, "a group message")
        if verdict is None or not verdict.escalate or first.assessment.escalate:
            return
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                await store.lock_session(conn, session.id)
                detection = await self._record(conn, session, member, message, Detection(verdict))
        except Exception as exc:
            log.error("a late group escalation could not be stored (%s)", type(exc).__name__)
            return
        if detection is not None:
            LATE_ESCALATIONS.inc()
            await self._after_detection(session, member, message, detection)

    async def _record(
        self, conn: asyncpg.Connection, session: Session, member: Member, message: GroupMessage, detection: Detection
    ) -> Detection | None:
        """Inside the message's transaction, like ``AlertChannel.record_detection`` for a conversation:
        a new escalation for this member, or the open one's evidence (and severity) extended."""
        assessment = detection.assessment
        if not assessment.escalate and not assessment.watch:
            return None
        if not assessment.escalate:
            return detection
        evidence = [
            {"text": e.text, "category": e.category, "severity": e.severity, "source": e.source}
            for e in assessment.evidence
        ]
        unresolved = await escalations.unresolved_for_group_member(conn, member.id)
        if should_escalate([(e.category, e.severity) for e in unresolved], assessment):
            detection.created = await escalations.create(
                conn,
                conversation_id=None,
                source="detector",
                category=assessment.category,
                severity=assessment.severity or "high",
                evidence=evidence,
                group_session_id=session.id,
                group_member_id=member.id,
                group_message_id=message.id,
            )
            return detection
        if unresolved:
            newest_first = sorted(unresolved, key=lambda e: e.created_at, reverse=True)
            target = next((e for e in newest_first if e.category == assessment.category), newest_first[0])
            explicit = [e for e in evidence if e["source"] == "rules"]
            updated = await escalations.add_evidence(conn, target.id, explicit, assessment.severity or "high")
            if updated is not None:
                detection.updated, detection.rose = updated, updated.severity != target.severity
        return detection

    async def _after_detection(self, session: Session, member: Member, message: GroupMessage, d: Detection) -> None:
        """Resources to the member alone, first; then the facilitators (``risk``) and supervisors."""
        if d.assessment.escalate and (d.created is not None or d.newest_at_risk) and member.seeker_id:
            resources = self.resources.get(session.language) or self.resources.get("en") or []
            await self.sio.emit(
                "crisis_resources",
                {"session_id": session.id, "resources": resources},
                room=seeker_room(member.seeker_id),
                namespace=GROUPS_NS,
            )
        escalation = d.created or (d.updated if d.rose else None)
        if escalation is not None:
            await self._to_facilitators(
                session,
                "risk",
                {
                    "session_id": session.id,
                    "group_id": session.group_id,
                    "member_id": member.id,
                    "alias": member.alias,
                    "message_id": message.id,
                    "seq": message.seq,
                    "category": escalation.category,
                    "severity": escalation.severity,
                    "escalation_id": escalation.id,
                    "evidence": [e.get("text", "") for e in escalation.evidence],
                },
            )
        if d.created is not None:
            ESCALATIONS.labels("detector", d.created.severity).inc()
            await self.notifier.supervisors("escalation", d.created.to_wire())
            if await best_effort(self.supervisors.online_count(), "counting supervisors online") == 0:
                await best_effort(self.alerts.page_due(), "paging")
        elif d.updated is not None:
            await self.notifier.supervisors("escalation_update", d.updated.to_wire())
        if not d.assessment.escalate and d.assessment.watch:
            await self._to_facilitators(
                session,
                "risk_hint",
                {
                    "session_id": session.id,
                    "member_id": member.id,
                    "alias": member.alias,
                    "seq": message.seq,
                    "category": d.assessment.category,
                    "probability": None if d.assessment.risk is None else round(d.assessment.risk, 2),
                },
            )

    async def typing(self, actor: Actor, session_id: str, is_typing: bool) -> dict[str, Any]:
        """Shown as a count ("2 people are typing"), never as who."""
        async with self.pool.acquire() as conn:
            session = await self._session(conn, session_id)
            member = await self._membership(conn, actor, session)
        if member.muted:
            raise refused("forbidden", "muted", "a facilitator muted you in this session")
        self._open(session)
        key = KEYS.group_typing(session.id)
        now = _now_ms()
        async with self.redis.pipeline(transaction=True) as pipe:
            if is_typing:
                pipe.zadd(key, {member.id: now + TYPING_TTL_MS})
            else:
                pipe.zrem(key, member.id)
            pipe.zremrangebyscore(key, "-inf", now)
            pipe.zcard(key)
            pipe.pexpire(key, TYPING_TTL_MS * 10)
            results = await pipe.execute()
        count = int(results[2])
        await self.sio.emit(
            "typing", {"session_id": session.id, "count": count}, room=session_room(session.id), namespace=GROUPS_NS
        )
        return {"count": count}

    # -- leaving ----------------------------------------------------------------------------------------
    async def leave(self, actor: Actor, session_id: str, erase: bool) -> dict[str, Any]:
        async with self.pool.acquire() as conn:
            session = await self._session(conn, session_id)
            member = await self._membership(conn, actor, session)
            await store.set_status(conn, member.id, GroupMemberStatus.LEFT)
            erased = await store.erase_member(conn, member.id) if erase else 0
        await self._left(member)
        if erased:
            await self._emit_session(
                session.id, "member_erased", {"session_id": session.id, "member_id": member.id, "erased": erased}
            )
        return {"erased_messages": erased}

    async def _left(self, member: Member) -> None:
        """After a member's row says ``left``: their seat back, out of the room on every process, the room told."""
        if member.seeker_id:
            await best_effort(self.seats.release(member.session_id, member.seeker_id), "releasing a seat")
        await best_effort(self.members_seen.forget(member.id), "forgetting a member's last-seen clock")
        await best_effort(self.relay.publish_out(member.session_id, member.id), "taking a member out of the room")
        await self._emit_session(
            member.session_id, "member_left", {"session_id": member.session_id, "member_id": member.id}
        )

    # -- absence: a closed tab must not keep a seat (and a newcomer out of a full group) -------------------
    async def beat(self) -> None:
        """On the process heartbeat: confirm the members with a socket here. A closed socket is simply no
        longer confirmed (no "gone now" mark: another process may hold a tab of theirs and confirm it on its
        next beat), so a seat is released only after ``STALE_MS`` plus the grace without any confirmation."""
        await self.members_seen.touch(self.relay.local_members())

    async def release_absent(self) -> int:
        """Leader job: a member none of whose sockets has been seen for the grace period gives their seat
        back (``member_left`` to the room), as if they had left; they may join again while seats remain.
        Facilitators keep their place (they have no seat, and their console resumes the room)."""
        away = await self.members_seen.away_longer_than(int(self.absence_grace_s * 1000))
        released = 0
        for member_id in away:
            async with self.pool.acquire() as conn:
                member = await store.leave_absent(conn, member_id)
            if member is not None:
                await self._left(member)
                released += 1
            else:
                await self.members_seen.forget(member_id)
        return released

    # -- moderation (facilitators of the group, supervisors) ----------------------------------------------
    async def _moderated(self, conn: asyncpg.Connection, actor: Actor, session_id: str) -> Session:
        session = await self._session(conn, session_id)
        await self._may_moderate(conn, actor, session.group_id)
        return session

    async def _target(self, conn: asyncpg.Connection, session: Session, member_id: str) -> Member:
        target = await store.get_member(conn, member_id)
        if target is None or target.session_id != session.id:
            raise refused("not_found", "unknown_member", "no such member in this session")
        if target.role != GroupMemberRole.MEMBER:
            raise refused("forbidden", "facilitator", "facilitators cannot be moderated")
        return target

    async def mute(self, actor: Actor, session_id: str, member_id: str, muted: bool) -> dict[str, Any]:
        async with self.pool.acquire() as conn:
            session = await self._moderated(conn, actor, session_id)
            target = await self._target(conn, session, member_id)
            self._open(session)
            if target.status != GroupMemberStatus.JOINED:
                raise refused("conflict", "not_present", "that member is no longer in the session")
            updated = await store.set_muted(conn, target.id, muted)
            await audit.record(
                conn,
                actor_id=actor.id,
                actor_role=actor.role,
                action="group_mute" if muted else "group_unmute",
                detail={"session_id": session.id, "member_id": target.id},
            )
        if updated is None:
            raise refused("not_found", "unknown_member", "no such member")
        await self._emit_session(session.id, "member_muted", {"session_id": session.id, **updated.to_wire()})
        return {"member": updated.to_wire()}

    async def remove(self, actor: Actor, session_id: str, member_id: str, reason: str) -> dict[str, Any]:
        async with self.pool.acquire() as conn:
            session = await self._moderated(conn, actor, session_id)
            target = await self._target(conn, session, member_id)
            if target.status == GroupMemberStatus.REMOVED:
                raise refused("conflict", "removed", "that member was already removed")
            await store.remove_member(conn, target.id)
            await audit.record(
                conn,
                actor_id=actor.id,
                actor_role=actor.role,
                action="group_remove",
                detail={"session_id": session.id, "member_id": target.id, "reason": reason},
            )
        if target.seeker_id:
            await best_effort(self.seats.release(session.id, target.seeker_id), "releasing a seat")
        body = {"session_id": session.id, "member_id": target.id, "alias": target.alias}
        await self._emit_session(session.id, "member_removed", body)
        await best_effort(self.relay.publish_out(session.id, target.id), "taking a member out of the room")
        return {}

    async def pin(self, actor: Actor, session_id: str, pinned: bool) -> dict[str, Any]:
        async with self.pool.acquire() as conn:
            session = await self._moderated(conn, actor, session_id)
            self._open(session)
            await store.set_pinned(conn, session.id, pinned)
        body = {"session_id": session.id, "pinned": pinned, "guidelines": session.guidelines if pinned else None}
        await self._emit_session(session.id, "pinned", body)
        return {"pinned": pinned}

    async def delete_message(self, actor: Actor, session_id: str, message_id: str, reason: str) -> dict[str, Any]:
        """Gone for every member (a tombstone keeps its ``seq``); supervisors still read it, with the reason."""
        async with self.pool.acquire() as conn:
            session = await self._moderated(conn, actor, session_id)
            message = await store.get_message(conn, message_id)
            if message is None or message.session_id != session.id:
                raise refused("not_found", "unknown_message", "no such message in this session")
            if message.deleted_at is not None:
                return {"message": message.to_wire(staff=True)}
            deleted = await store.mark_deleted(conn, message.id, actor.id, reason)
            await audit.record(
                conn,
                actor_id=actor.id,
                actor_role=actor.role,
                action="group_delete_message",
                detail={"session_id": session.id, "message_id": message.id, "reason": reason},
            )
        if deleted is None:
            raise refused("not_found", "unknown_message", "no such message")
        tomb = {"session_id": session.id, "message_id": deleted.id, "seq": deleted.seq}
        await self.sio.emit("message_deleted", tomb, room=session_room(session.id), namespace=GROUPS_NS)
        await self.sio.emit(
            "message_deleted",
            {**tomb, "text": deleted.text, "reason": reason},
            room=watch_room(session.id),
            namespace=GROUPS_NS,
        )
        return {"message": deleted.to_wire(staff=True)}

    async def end(self, actor: Actor, session_id: str) -> dict[str, Any]:
        async with self.pool.acquire() as conn:
            session = await self._moderated(conn, actor, session_id)
            self._open(session)
            if not await store.end_session(conn, session.id, by=_by(actor)):
                raise refused("conflict", "ended", "the session has already ended")
        await self._closed(session.id, "ended", by=_by(actor))
        return {}

    async def end_overdue(self) -> int:
        """Periodic (leader): a session whose time ran out ends, and its room is told."""
        async with self.pool.acquire() as conn:
            ended = await store.end_overdue(conn)
        for session_id in ended:
            await self._closed(session_id, "ended", by="time")
        return len(ended)

    async def _closed(self, session_id: str, how: str, *, by: str) -> None:
        await self._emit_session(session_id, "session_ended", {"session_id": session_id, "how": how, "by": by})
        await best_effort(self.seats.close(session_id), "freeing a session's seats")

    async def report(self, actor: Actor, session_id: str, message_id: str, reason: str | None) -> dict[str, Any]:
        """Any member (muted ones too) can report a message; facilitators and supervisors are told."""
        async with self.pool.acquire() as conn:
            session = await self._session(conn, session_id)
            member = await self._membership(conn, actor, session)
            message = await store.get_message(conn, message_id)
            if message is None or message.session_id != session.id:
                raise refused("not_found", "unknown_message", "no such message in this session")
            report_id = await store.add_report(conn, session.id, message.id, member.id, reason)
        body = {
            "report_id": report_id,
            "session_id": session.id,
            "group_id": session.group_id,
            "message_id": message.id,
            "seq": message.seq,
            "alias": message.alias,
            "reported_by": member.alias,
            "reason": reason,
        }
        await self._to_facilitators(session, "report", body)
        await self.notifier.supervisors("group_report", body)
        return {"report_id": report_id}

    # -- a private one-to-one for a member (facilitators of the group, supervisors) ------------------
    async def invite(
        self, actor: Actor, session_id: str, member_id: str, listener_id: str | None = None
    ) -> dict[str, Any]:
        """A normal conversation for the member, at the front of the queue (or with ``listener_id`` when
        that listener can take it now), with the member's words in this session attached for the listener
        as a staff-only note; the member's open group escalations become the conversation's, so the
        listener sees the crisis as in any escalated chat; the member is told privately."""
        async with self.pool.acquire() as conn:
            session = await self._moderated(conn, actor, session_id)
            target = await self._target(conn, session, member_id)
            if target.seeker_id is None:
                raise refused("forbidden", "facilitator", "facilitators cannot be invited")
            words = [m for m in await store.after(conn, session.id, 0) if m.member_id == target.id]
            try:
                async with conn.transaction():
                    conv = await conversations.create(conn, target.seeker_id, session.topic, session.language)
                    linked = await escalations.link_group_member(conn, target.id, conv.id)
                    severity = max((e.severity for e in linked), key=severity_rank, default=Severity.HIGH)
                    await conversations.raise_severity(conn, conv.id, severity)
                    lines = [f'Invited from the support group "{session.title}", where they are "{target.alias}".']
                    lines += [f"#{m.seq} {m.text}" for m in words if m.text and m.deleted_at is None]
                    await messages.append(
                        conn,
                        conversation_id=conv.id,
                        client_id=f"group-invite-{session.id}",
                        sender="system",
                        sender_id=None,
                        text="\n".join(lines)[:4000],
                        visibility="staff",
                    )
                    await audit.record(
                        conn,
                        actor_id=actor.id,
                        actor_role=actor.role,
                        action="group_invite",
                        conversation_id=conv.id,
                        detail={"session_id": session.id, "member_id": target.id, "listener_id": listener_id},
                    )
            except conversations.AlreadyOpen:
                open_now = await conversations.open_for_seeker(conn, target.seeker_id)
                raise ProtocolError(
                    "conflict",
                    "the member already has an open one-to-one conversation",
                    reason="open_conversation",
                    conversation_id=open_now.id if open_now else None,
                ) from None
            conv = await conversations.get(conn, conv.id) or conv
        for escalation in linked:
            await self.notifier.supervisors("escalation_update", escalation.to_wire())
        await best_effort(self.queue.add(waiting_entry(conv)), "queueing an invited member")
        handed = False
        if listener_id is not None and self.hand_to is not None:
            handed = bool(await best_effort(self.hand_to(conv.id, listener_id), "handing an invited member over"))
        if not handed and self.pair_waiting is not None:
            await best_effort(self.pair_waiting(conv.id), "pairing an invited member")
        await self.sio.emit(
            "invited",
            {"session_id": session.id, "conversation_id": conv.id, "topic": conv.topic, "language": conv.language},
            room=seeker_room(target.seeker_id),
            namespace=GROUPS_NS,
        )
        return {"conversation_id": conv.id, "handed_to": listener_id if handed else None}

    # -- fan-out helpers ----------------------------------------------------------------------------------
    async def _emit_session(self, session_id: str, event: str, data: dict[str, Any]) -> None:
        for room in (session_room(session_id), watch_room(session_id)):
            await self.sio.emit(event, data, room=room, namespace=GROUPS_NS)

    async def _to_facilitators(self, session: Session, event: str, data: dict[str, Any]) -> None:
        async with self.pool.acquire() as conn:
            ids = await store.facilitator_ids(conn, session.group_id)
        for user_id in ids:
            await self.sio.emit(event, data, room=staff_room(user_id), namespace=GROUPS_NS)

    async def _missing(self, session_id: str, after_seq: int, up_to: int) -> list[dict[str, Any]]:
        async with self.pool.acquire() as conn:
            found = await store.after(conn, session_id, after_seq, limit=max(0, up_to - after_seq))
        return [m.to_wire() for m in found]


def seeker_room(seeker_id: str) -> str:
    """A seeker's sockets on ``/groups`` (crisis resources and invitations reach them alone)."""
    return f"gseeker:{seeker_id}"


def staff_room(user_id: str) -> str:
    return f"gstaff:{user_id}"


def _by(actor: Actor) -> str:
    return "supervisor" if actor.is_supervisor else "facilitator"


def _now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)
