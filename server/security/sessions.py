"""Who is connected to this process, and as whom.

The gateway records each socket's identity at connect; the domain reads it as an ``Actor``.
Only this process's sockets are here — everything shared lives in Redis or PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from server.vocabulary import SUPERVISING_ROLES, ListenerStatus, Role


@dataclass(slots=True)
class Actor:
    role: str  # seeker | listener | supervisor | admin
    id: str
    sid: str
    display_name: str | None = None
    token_id: str = ""
    token_expires_at: int = 0
    address: str = ""  # the client address, hashed (rate limits only; never stored or logged)
    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    max_chats: int = 3
    status: str = ListenerStatus.AWAY  # a listener's last chosen status, to re-register after Redis loses it
    # conversations a supervisor joined on this socket (join / take_over / resume)
    joined: set[str] = field(default_factory=set)
    # the seeker's open conversation, for queue-position updates
    conversation_id: str | None = None
    last_position: int | None = None
    last_language_available: bool | None = None  # last told: a listener speaking their language is available
    # the namespace when it is not the role's own (``/groups`` admits every role), so a sweep drops the right one
    namespace: str | None = None
    # the per-socket event rate limit's token bucket: (tokens left, when it was last filled)
    bucket: tuple[float, float] = (1e9, 0.0)

    @property
    def is_staff(self) -> bool:
        return self.role != Role.SEEKER

    @property
    def is_supervisor(self) -> bool:
        return self.role in SUPERVISING_ROLES


class Sessions:
    def __init__(self) -> None:
        self._by_sid: dict[str, Actor] = {}

    def add(self, actor: Actor) -> None:
        self._by_sid[actor.sid] = actor

    def remove(self, sid: str) -> Actor | None:
        return self._by_sid.pop(sid, None)

    def get(self, sid: str) -> Actor | None:
        return self._by_sid.get(sid)

    def has_other(self, actor: Actor) -> bool:
        """Does this person have another socket on this process (a second tab) in the same namespace?"""
        return any(
            a.id == actor.id and a.role == actor.role and a.sid != actor.sid and a.namespace == actor.namespace
            for a in self._by_sid.values()
        )

    def ids_by_role(self) -> dict[str, set[str]]:
        """Presence: only sockets on their role's own namespace count (a ``/groups`` socket is not on duty)."""
        out: dict[str, set[str]] = {}
        for a in self._by_sid.values():
            if a.namespace is None:
                out.setdefault(Role.SUPERVISOR if a.is_supervisor else a.role, set()).add(a.id)
        return out

    def of_role(self, *roles: str) -> list[Actor]:
        """Sockets on their role's own namespace (see ``everyone`` for all of them)."""
        return [a for a in self._by_sid.values() if a.role in roles and a.namespace is None]

    def everyone(self) -> list[Actor]:
        return list(self._by_sid.values())

    def __len__(self) -> int:
        return len(self._by_sid)
