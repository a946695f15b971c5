"""Queue news for this process's sockets: ``queue`` to waiting seekers, ``queue_update`` to listeners.

Runs in every process for its own sockets, at most once per ``QUEUE_UPDATE_INTERVAL_S`` and only
when the queue changed, so a long queue never turns one pairing into thousands of emits at once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import socketio

from matching.presence import ListenerPresence
from matching.queue import Waiting, WaitingQueue, now_ms
from server.domain.notify import LISTENER_NS, SEEKER_NS
from server.security.sessions import Actor, Sessions
from server.vocabulary import ListenerStatus, Role

log = logging.getLogger(__name__)


class QueueWatch:
    def __init__(
        self,
        *,
        queue: WaitingQueue,
        sessions: Sessions,
        sio: socketio.AsyncServer,
        interval_s: float,
        presence: ListenerPresence | None = None,
    ) -> None:
        self._queue = queue
        self._presence = presence
        self._sessions = sessions
        self._sio = sio
        self._interval_s = interval_s
        self._version = -1
        self._sent: dict[str, tuple[tuple[str, str], ...]] = {}

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("queue watch tick failed: %s", type(exc).__name__)
            await asyncio.sleep(self._interval_s)

    async def tick(self) -> None:
        version = await self._queue.version()
        if version == self._version:
            return
        self._version = version
        waiting = await self._queue.snapshot()
        seconds_per_pairing = await self._queue.seconds_per_pairing()
        positions = {w.conversation_id: i + 1 for i, w in enumerate(waiting)}
        languages = {w.conversation_id: w.language for w in waiting}
        served = await self._languages_served()
        for actor in self._sessions.of_role(Role.SEEKER):
            cid = actor.conversation_id
            available = None if served is None or cid not in languages else languages[cid] in served
            await self._send_position(actor, positions, seconds_per_pairing, available)
        for actor in self._sessions.of_role(Role.LISTENER):
            await self._send_update(actor, waiting)

    async def send_queue_update(self, actor: Actor) -> None:
        await self._send_update(actor, await self._queue.snapshot(), force=True)

    async def _languages_served(self) -> set[str] | None:
        """Languages spoken by at least one listener who is online and available; None if unknown."""
        if self._presence is None:
            return None
        return {
            lang
            for s in await self._presence.all()
            if s.online and s.profile.status == ListenerStatus.AVAILABLE
            for lang in s.profile.languages
        }

    async def _send_position(
        self,
        actor: Actor,
        positions: dict[str, int],
        seconds_per_pairing: float | None,
        language_available: bool | None = None,
    ) -> None:
        """Sent when the place in line changes, or whether anyone speaking the seeker's language is available
        (a Spanish speaker with no Spanish-speaking listener online must be told, not left at "number 1")."""
        cid = actor.conversation_id
        if cid is None:
            return
        position = positions.get(cid)
        if position is None or (
            position == actor.last_position and language_available == actor.last_language_available
        ):
            actor.last_position = position
            return
        actor.last_position = position
        actor.last_language_available = language_available
        estimate = None if seconds_per_pairing is None else round(position * seconds_per_pairing)
        payload: dict[str, Any] = {"conversation_id": cid, "position": position, "estimated_wait_s": estimate}
        if language_available is not None:
            payload["language_available"] = language_available
        await self._sio.emit("queue", payload, to=actor.sid, namespace=SEEKER_NS)

    async def _send_update(self, actor: Actor, waiting: list[Waiting], *, force: bool = False) -> None:
        mine = [w for w in waiting if w.language in actor.languages]
        fingerprint = tuple((w.conversation_id, w.severity) for w in mine)
        if not force and self._sent.get(actor.sid) == fingerprint:
            return
        self._sent[actor.sid] = fingerprint
        at = now_ms()
        payload: dict[str, Any] = {
            "waiting": [
                {
                    "conversation_id": w.conversation_id,
                    "topic": w.topic,
                    "language": w.language,
                    "waited_s": round(w.waited_s(at)),
                    "severity": w.severity,
                }
                for w in mine
            ]
        }
        await self._sio.emit("queue_update", payload, to=actor.sid, namespace=LISTENER_NS)

    def forget(self, sid: str) -> None:
        self._sent.pop(sid, None)
