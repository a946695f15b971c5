"""Every Redis key the service uses, in one place.

Keys that one Lua script touches share the ``{pl}`` hash tag, so the scripts run unchanged on a
Redis Cluster or a managed Redis-compatible service.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str = "{pl}"

    @property
    def queue(self) -> str:
        """Sorted set: conversation id -> priority score (lower is served first)."""
        return f"{self.prefix}:queue"

    @property
    def queue_meta(self) -> str:
        """Hash: conversation id -> JSON {topic, lang, t (queued ms), sev, sk (seeker id), rq}."""
        return f"{self.prefix}:qmeta"

    @property
    def queue_version(self) -> str:
        """Counter bumped on every queue change, so broadcasters know when to recompute."""
        return f"{self.prefix}:qver"

    @property
    def listeners(self) -> str:
        """Hash: listener id -> JSON profile {st, max, topics, langs, name}."""
        return f"{self.prefix}:listeners"

    @property
    def load(self) -> str:
        """Hash: listener id -> number of conversations the listener is responding to."""
        return f"{self.prefix}:load"

    @property
    def idle(self) -> str:
        """Hash: listener id -> ms timestamp of the last assignment or release (fairness)."""
        return f"{self.prefix}:idle"

    def seen(self, role: str) -> str:
        """Sorted set: id -> ms when a process last confirmed a live socket of this person.

        Every process refreshes its own sockets' entries on a heartbeat, so a process that dies
        simply stops refreshing: its people go stale and their grace periods start without it.
        """
        return f"{self.prefix}:seen:{role}"

    @property
    def pair_times(self) -> str:
        """List: ms timestamps of recent pairings, newest first (queue wait estimates)."""
        return f"{self.prefix}:pairt"

    def registered(self, process: str) -> str:
        """One per process: its listeners are in the index. Gone means Redis lost its data (or this
        process is new), so the process registers its listeners again and re-queues from PostgreSQL."""
        return f"{self.prefix}:registered:{process}"

    def revoked_token(self, token_id: str) -> str:
        return f"{self.prefix}:revoked:jti:{token_id}"

    def group_seats(self, session_id: str) -> str:
        """Set: seeker ids holding a seat in a group session, plus the sentinel ``SEATS_SEEDED`` once the
        set was seeded from PostgreSQL (a set without it was lost with Redis's data: rebuild it first)."""
        return f"{self.prefix}:gseats:{session_id}"

    def group_typing(self, session_id: str) -> str:
        """Sorted set: member id -> ms until which they count as typing in a group session."""
        return f"{self.prefix}:gtyping:{session_id}"

    @property
    def group_relay(self) -> str:
        """Pub/sub channel: every group session's stored messages, published in ``seq`` order (under
        the session's lock), so each process delivers them to its own sockets in that order."""
        return f"{self.prefix}:groups"

    def leader(self, job: str) -> str:
        return f"{self.prefix}:leader:{job}"


KEYS = Keys()
