"""The rules of a support group that need no database: aliases, capacity, when a session is open.

An alias is what the other members see instead of anything that could identify the seeker, so it is
validated harder than text: short, letters and digits and a few joining marks, no markup, and not a
name that claims a role ("facilitator") or could be the seeker's id.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

DEFAULT_CAPACITY = 12
MAX_CAPACITY = 50
MIN_CAPACITY = 2
ALIAS_MIN, ALIAS_MAX = 2, 32
TITLE_MAX = 120
DESCRIPTION_MAX = 2000
GUIDELINES_MAX = 4000
DURATION_MIN, DURATION_MAX = 5, 600
JOIN_EARLY = timedelta(minutes=10)  # members may take their seat this long before the start
TYPING_TTL_MS = 6000  # a member who said "typing" and then went silent stops counting after this

_ALIAS_MARKS = frozenset(" -_.'")
_RESERVED = ("facilitator", "moderator", "supervisor", "admin", "system", "peerline", "staff", "listener")
_HEX_RUN = re.compile(r"[0-9a-f]{8,}", re.IGNORECASE)


class SessionState(StrEnum):
    UPCOMING = "upcoming"  # scheduled, not yet open for joining
    OPEN = "open"  # members may join and talk
    ENDED = "ended"  # ended by a facilitator, or its time is over
    CANCELLED = "cancelled"


class MemberRole(StrEnum):
    MEMBER = "member"
    FACILITATOR = "facilitator"


class MemberStatus(StrEnum):
    JOINED = "joined"
    LEFT = "left"
    REMOVED = "removed"


def check_alias(raw: str, *, seeker_id: str = "") -> str | None:
    """The alias as it will be shown, or None when it is not acceptable."""
    alias = unicodedata.normalize("NFC", raw).strip()
    if not ALIAS_MIN <= len(alias) <= ALIAS_MAX:
        return None
    if "  " in alias:
        return None
    for ch in alias:
        if ch in _ALIAS_MARKS:
            continue
        if not ch.isalnum():  # no markup, punctuation, symbols, emoji or controls
            return None
    folded = alias.casefold()
    if not any(ch.isalnum() for ch in alias):
        return None
    if any(word in folded.replace(" ", "") for word in _RESERVED):
        return None
    if _HEX_RUN.search(folded.replace("-", "")):  # never an id (theirs or the session's)
        return None
    if seeker_id and seeker_id.replace("-", "")[:8].casefold() in folded.replace("-", ""):
        return None
    return alias


@dataclass(frozen=True, slots=True)
class Timing:
    starts_at: datetime
    duration_min: int
    status: str  # the row's: scheduled | ended | cancelled

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_min)

    def state(self, now: datetime | None = None) -> SessionState:
        now = now or datetime.now(UTC)
        if self.status == "cancelled":
            return SessionState.CANCELLED
        if self.status == "ended" or now >= self.ends_at:
            return SessionState.ENDED
        if now < self.starts_at - JOIN_EARLY:
            return SessionState.UPCOMING
        return SessionState.OPEN
