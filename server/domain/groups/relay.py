"""Group fan-out in ``seq`` order on every process: one Redis channel, published under the session lock.

The one-to-one relay emits after commit through the Socket.IO manager; with two writers that is
enough. A group has twenty, on several processes, and an emit from process A after commit can reach
a member on process B after a later message that B committed and delivered locally. So every stored
group message is published on one channel, and each process delivers to its own sockets only
(``ignore_queue``), strictly in ``seq`` order: it remembers the last seq it delivered per session, and
when the next one to arrive is further on (another process published later than it committed), it
reads the missing ones from PostgreSQL first — they are there, because seq N+1 is only given once the
transaction that stored N has committed (the session row is locked for it). The late copy, when it
arrives, is older than what was delivered and is dropped. So a member never sees seq 7 before 6, nor
6 twice, whichever processes the writers are on.

A process starts counting for a session when a socket first enters its room, from the session's
``last_seq`` read just before (what is older is in that socket's history answer, read right after).

Control notes ride the same channel, so "member removed" is applied on every process in order with
the messages: after it, no process delivers that session to the removed member's sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
import socketio
from redis.asyncio import Redis

from matching.keys import KEYS

log = logging.getLogger(__name__)

GROUPS_NS = "/groups"
_RESUBSCRIBE_S = 1.0


def session_room(session_id: str) -> str:
    """Members and facilitators reading a session."""
    return f"gs:{session_id}"


def watch_room(session_id: str) -> str:
    """Supervisors watching a session (they also see deleted messages' words and reasons)."""
    return f"gw:{session_id}"


Gap = Callable[[str, int, int], Awaitable[list[dict[str, Any]]]]


class GroupRelay:
    def __init__(self, redis: Redis, sio: socketio.AsyncServer, missing: Gap) -> None:
        self._redis = redis
        self._sio = sio
        self._missing = missing  # (session, after_seq, up_to_seq) -> wire messages from PostgreSQL
        self._last: dict[str, int] = {}  # session -> last seq delivered on this process
        self._readers: dict[str, set[str]] = {}  # member id -> this process's sockets reading as them
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    # -- sockets ---------------------------------------------------------------------------------
    async def enter(
        self, sid: str, session_id: str, member_id: str | None, *, watcher: bool = False, floor: int = 0
    ) -> None:
        """``floor``: the session's last_seq read just before (by the caller, on its own connection). Lower
        than the truth costs at most a repeat the client drops; the history is read after this returns."""
        room = watch_room(session_id) if watcher else session_room(session_id)
        await self._sio.enter_room(sid, room, namespace=GROUPS_NS)
        if session_id not in self._last:
            self._last[session_id] = floor
        if member_id is not None:
            self._readers.setdefault(member_id, set()).add(sid)

    def forget_socket(self, sid: str) -> None:
        for member_id in [m for m, sids in self._readers.items() if sid in sids]:
            self._readers[member_id].discard(sid)
            if not self._readers[member_id]:
                del self._readers[member_id]

    def local_members(self) -> list[str]:
        """Members with a socket on this process."""
        return list(self._readers)

    # -- publishing (after commit) -----------------------------------------------------------------
    async def publish_message(self, message: dict[str, Any], *, skip_sid: str | None) -> None:
        await self._redis.publish(KEYS.group_relay, orjson.dumps({"k": "msg", "d": message, "skip": skip_sid}))

    async def publish_out(self, session_id: str, member_id: str) -> None:
        """Every process takes this member's sockets out of the session's room."""
        await self._redis.publish(KEYS.group_relay, orjson.dumps({"k": "out", "s": session_id, "m": member_id}))

    # -- receiving ---------------------------------------------------------------------------------
    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), 5)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(KEYS.group_relay)
                self._ready.set()
                async for raw in pubsub.listen():
                    if raw.get("type") != "message":
                        continue
                    try:
                        await self._handle(orjson.loads(raw["data"]))
                    except Exception:
                        log.exception("group relay: a note could not be delivered")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("group relay: subscription lost (%s); members catch up with resume", type(exc).__name__)
                self._last.clear()  # we may have missed anything: start counting afresh
                await asyncio.sleep(_RESUBSCRIBE_S)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _handle(self, note: dict[str, Any]) -> None:
        if note["k"] == "out":
            for sid in list(self._readers.pop(note["m"], ())):
                with contextlib.suppress(Exception):
                    await self._sio.leave_room(sid, session_room(note["s"]), namespace=GROUPS_NS)
            return
        message = note["d"]
        session_id, seq = message["session_id"], int(message["seq"])
        last = self._last.get(session_id)
        if last is not None and seq <= last:
            return  # already delivered here (a gap read from PostgreSQL covered it)
        if last is not None and seq > last + 1:
            for earlier in await self._missing(session_id, last, seq - 1):
                # read back, it lost its sender's socket id: none of its author's sockets here get it (they
                # have it from the ack; another tab of theirs finds it on resume)
                await self._deliver(earlier, list(self._readers.get(earlier["member_id"], ())))
        self._last[session_id] = seq
        if len(self._last) > 10_000:  # bounded: the oldest sessions are forgotten first
            self._last.pop(next(iter(self._last)))
        await self._deliver(message, note.get("skip"))

    async def _deliver(self, message: dict[str, Any], skip_sid: str | list[str] | None) -> None:
        session_id = message["session_id"]
        for room in (session_room(session_id), watch_room(session_id)):
            await self._sio.emit(
                "message", message, room=room, namespace=GROUPS_NS, skip_sid=skip_sid, ignore_queue=True
            )
