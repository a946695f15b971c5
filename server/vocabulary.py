"""The server's vocabulary: every role, status, visibility and outcome spelled once, as StrEnums.

A StrEnum member *is* its string (``Role.SEEKER == "seeker"``), so these go to PostgreSQL, Redis,
JSON and msgspec unchanged; the point is that nobody writes ``"seeker"`` anywhere else.
PostgreSQL's ``check`` constraints in ``store/migrations`` list the same values; ``tests/test_vocabulary.py``
checks they agree. The detector's own words (category, severity) live in ``escalation/vocabulary.py``
and are re-exported here.
"""

from __future__ import annotations

from enum import StrEnum

from escalation.vocabulary import NO_CATEGORY, NO_SEVERITY, Category, Severity, severity_rank, sql_severity_rank
from matching.presence import ListenerStatus

__all__ = [
    "NO_CATEGORY",
    "NO_SEVERITY",
    "STAFF_ROLES",
    "SUPERVISING_ROLES",
    "Category",
    "ConversationStatus",
    "EscalationSource",
    "EscalationStatus",
    "GroupMemberRole",
    "GroupMemberStatus",
    "GroupSessionState",
    "GroupSessionStatus",
    "ListenerStatus",
    "Outcome",
    "Role",
    "Sender",
    "Severity",
    "Visibility",
    "severity_rank",
    "sql_severity_rank",
]


class Role(StrEnum):
    """Who a token belongs to. Seekers are anonymous sessions; the others are accounts (``users.role``)."""

    SEEKER = "seeker"
    LISTENER = "listener"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


STAFF_ROLES = (Role.LISTENER, Role.SUPERVISOR, Role.ADMIN)  # accounts; the ``users.role`` constraint
SUPERVISING_ROLES = (Role.SUPERVISOR, Role.ADMIN)  # the supervisor namespace; an admin acts as a supervisor


class Sender(StrEnum):
    """Who wrote a message (``messages.sender``), or who ended a conversation: a role as the seeker sees
    it (an admin writes as a supervisor), or the service itself."""

    SEEKER = Role.SEEKER.value
    LISTENER = Role.LISTENER.value
    SUPERVISOR = Role.SUPERVISOR.value
    SYSTEM = "system"


class Visibility(StrEnum):
    ALL = "all"  # the seeker sees it (and it takes the next seq)
    STAFF = "staff"  # a whisper: listeners and supervisors only


class ConversationStatus(StrEnum):
    QUEUED = "queued"
    ACTIVE = "active"
    ENDED = "ended"


class EscalationStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class EscalationSource(StrEnum):
    DETECTOR = "detector"
    LISTENER = Role.LISTENER.value


class Outcome(StrEnum):
    """How a supervisor resolved an escalation."""

    FALSE_ALARM = "false_alarm"
    DE_ESCALATED = "de_escalated"
    EMERGENCY_SERVICES = "emergency_services"
    REFERRED = "referred"
    OTHER = "other"


class GroupSessionStatus(StrEnum):
    """A support group session's row (``group_sessions.status``); what members see is ``GroupSessionState``."""

    SCHEDULED = "scheduled"
    ENDED = "ended"
    CANCELLED = "cancelled"


class GroupSessionState(StrEnum):
    """A session as the widget shows it, derived from its row and the clock."""

    UPCOMING = "upcoming"  # scheduled, not yet open for joining
    OPEN = "open"  # members may join and talk
    ENDED = "ended"  # ended by a facilitator, or its time is over
    CANCELLED = "cancelled"


class GroupMemberRole(StrEnum):
    MEMBER = "member"
    FACILITATOR = "facilitator"


class GroupMemberStatus(StrEnum):
    JOINED = "joined"
    LEFT = "left"
    REMOVED = "removed"
