"""The rules of a support group that need no database: aliases, capacity, lengths (when a session is
open is ``Timing`` in ``server/store/groups.py``, derived from the row).

An alias is what the other members see instead of anything that could identify the seeker, so it is
validated harder than text: short, letters and digits and a few joining marks, no markup, and not a
name that claims a role ("facilitator") or could be the seeker's id.
"""

from __future__ import annotations

import re
import unicodedata

DEFAULT_CAPACITY = 12
MAX_CAPACITY = 50
MIN_CAPACITY = 2
ALIAS_MIN, ALIAS_MAX = 2, 32
TITLE_MAX = 120
DESCRIPTION_MAX = 2000
GUIDELINES_MAX = 4000
DURATION_MIN, DURATION_MAX = 5, 600
TYPING_TTL_MS = 6000  # a member who said "typing" and then went silent stops counting after this

_ALIAS_MARKS = frozenset(" -_.'")
_RESERVED = ("facilitator", "moderator", "supervisor", "admin", "system", "peerline", "staff", "listener")
_HEX_RUN = re.compile(r"[0-9a-f]{8,}", re.IGNORECASE)


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
