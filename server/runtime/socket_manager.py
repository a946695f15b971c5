"""A python-socketio client manager that delivers locally and publishes only what other processes need.

``AsyncRedisManager`` publishes every emit to one Redis channel that every process subscribes to: each
process (the sender included) decodes every message, even when the only recipient sits on the sender's
own process — about four times the CPU of a local emit, and it grows with the number of processes.

Here each process keeps, in Redis, a directory of the rooms it has members in (one set per room, whose
members are process tags). An emit to a room is delivered to this process's members directly, and one
Lua step publishes it to the private channel of each *other* process listed for the room — so a message
reaches every member on every process exactly once, and a process hears only messages for its own
sockets. Rooms here are identity rooms (``seeker:<id>``, ``listener:<id>``, ``supervisors``,
``watch:<cid>``) whose members may be on any process, so "local" can never be assumed; the directory
is what makes it knowable.

Correctness notes:
* ``enter_room`` returns only after the directory records this process, so anything that happens
  causally after a join (a pairing, an escalation) finds the member.
* Leaving updates the directory in the background: a stale entry only costs a wasted publish.
* Directory writes are coalesced (many joins share one round trip) and read the local state at write
  time, so a leave and a re-join can never be applied out of order.
* Routing calls are coalesced too: concurrent emits share one Lua call (group commit).
* Each process keeps a mirror of the directory's *other* processes (``_remote``), so an emit to a room
  no other process has members in makes no Redis call at all. The mirror is loaded from the directory
  after subscribing and kept current by notifications on the ``<channel>#dir`` channel, written in
  the same round trip as the directory change. A join waits until every live process has applied it
  (each acknowledges on the joiner's private channel, at most ``ack_timeout_s``), so an emit that
  happens causally after a join never misses the new member. Leaves need no wait: a stale entry
  only costs one routed emit. Until the mirror is loaded and the directory has settled (after a
  start, a Redis restart or a lost subscription), every emit takes the routed path as before.
* A process that dies leaves stale entries; live processes sweep them after ``host_ttl_s``. Every
  heartbeat also repairs this process's own entries (e.g. after Redis lost its data).
* Emits with a callback, to the whole namespace or to several rooms keep the classic broadcast path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

import orjson
import socketio
from bidict import ValueDuplicationError
from engineio import packet as eio_packet
from redis.asyncio import Redis
from socketio import packet

from server.metrics import SOCKET_EMITS

log = logging.getLogger(__name__)

# KEYS: the directory's epoch key, then one directory set per emit.
# ARGV: own tag, channel prefix, now (s), the shared broadcast channel, then one payload per emit.
# Until the directory is known to be complete (its epoch key exists and its settling time has passed —
# after a cold start or after Redis lost its data, every process re-writes its entries within one
# heartbeat), emits go to the shared channel that every process hears, as the stock manager does.
_ROUTE = """
local me = ARGV[1]
local prefix = ARGV[2]
local now = tonumber(ARGV[3])
local broadcast = ARGV[4]
local complete_after = tonumber(redis.call('GET', KEYS[1]) or '-1')
if complete_after < 0 or now < complete_after then
  for i = 2, #KEYS do
    redis.call('PUBLISH', broadcast, ARGV[i + 3])
  end
  return -1
end
local sent = 0
for i = 2, #KEYS do
  local payload = ARGV[i + 3]
  for _, host in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    if host ~= me then
      redis.call('PUBLISH', prefix .. host, payload)
      sent = sent + 1
    end
  end
end
return sent
"""

_LOCAL = SOCKET_EMITS.labels("local")
_ROUTED = SOCKET_EMITS.labels("routed")
_MAX_BATCH = 256
_BACKPRESSURE = 2048  # routed emits waiting for Redis before emitters start waiting too


class LocalFirstRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """python-socketio's Redis manager, routing an emit to the processes with members only.

    Overrides the public ``initialize``, ``enter_room`` and ``emit``, and four private hooks of the
    installed python-socketio (pinned to one minor range in ``pyproject.toml``; the names are checked
    by ``tests/test_socketio_internals.py``): ``_publish`` (route, or skip Redis when nobody elsewhere
    is in the room), ``_handle_emit`` (a routed emit from another process), ``_listen`` and
    ``_redis_listen_with_retries`` (our own and the directory channel besides the classic one). It
    calls ``_redis_connect`` and the server's ``_send_eio_packet`` (deliver one encoded packet)."""

    name = "peerline-redis"

    def __init__(
        self,
        url: str,
        channel: str = "socketio",
        redis_options: dict[str, Any] | None = None,
        key_prefix: str = "{pl}:sio",
        heartbeat_s: float = 2.0,
        host_ttl_s: float = 60.0,
        ack_timeout_s: float = 0.5,
    ) -> None:
        super().__init__(url, channel=channel, redis_options=dict(redis_options or {}))
        # A short random tag names this process in the directory, its channel and its socket ids.
        self.tag = secrets.token_hex(6)
        self._prefix = key_prefix
        self._heartbeat_s = heartbeat_s
        self._host_ttl_s = host_ttl_s
        self._client: Redis | None = None
        self._route_script: Any = None
        self._dirty: set[tuple[str, str]] = set()
        self._sync_lock: asyncio.Lock | None = None
        self._outbox: list[tuple[str, str, asyncio.Future[None]]] = []
        self._outbox_ready: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False
        self._background: set[asyncio.Future[None]] = set()
        # Set by the app: what to re-deliver to this process's sockets after its subscription broke.
        self.on_resubscribed: Callable[[float], Awaitable[None]] | None = None
        self._unsubscribed_since: float | None = None  # wall clock: when our subscription broke
        self._ack_timeout_s = ack_timeout_s
        # the mirror: directory key -> tags of *other* processes with members; trusted only when loaded
        self._remote: dict[str, set[str]] = {}
        self._mirror_loaded = False
        self._trust_after = float("inf")
        self._reload_log: list[dict[str, Any]] | None = None
        self._barriers: dict[str, tuple[set[str], asyncio.Event]] = {}
        self._subscribed: asyncio.Event | None = None
        self._probe: tuple[str, asyncio.Event] | None = None
        self._reloading = False
        self._live_peers: set[str] = set()  # live at the last heartbeat: waited for even if Redis forgot them

    # -- names ----------------------------------------------------------------------------------
    @property
    def own_channel(self) -> str:
        return f"{self.channel}#{self.tag}"

    def room_key(self, namespace: str, room: str) -> str:
        return f"{self._prefix}:room:{namespace}:{room}"

    def _rooms_of_key(self, tag: str) -> str:
        return f"{self._prefix}:rooms-of:{tag}"

    @property
    def _dir_channel(self) -> str:
        return f"{self.channel}#dir"

    @property
    def _epoch_key(self) -> str:
        return f"{self._prefix}:epoch"

    @property
    def _hosts_key(self) -> str:
        return f"{self._prefix}:hosts"

    def _redis(self) -> Redis:
        if self._client is None:
            # Our own client, with timeouts: a hung Redis must not hang every emit. (The pub/sub
            # listener keeps the caller's options: an idle subscription must not time out.)
            options = {"socket_timeout": 5.0, "socket_connect_timeout": 5.0, **self.redis_options}
            self._client = Redis.from_url(self.redis_url, **options)
            self._route_script = self._client.register_script(_ROUTE)
        return self._client

    # -- life cycle -----------------------------------------------------------------------------
    def initialize(self) -> None:
        super().initialize()
        self._sync_lock = asyncio.Lock()
        self._outbox_ready = asyncio.Event()
        self._subscribed = asyncio.Event()
        self._tasks.append(asyncio.ensure_future(self._route_loop()))
        self._tasks.append(asyncio.ensure_future(self._heartbeat_loop()))

    async def close(self) -> None:
        """Leave the directory on a clean shutdown so nobody publishes to a process that is gone."""
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._client is None:
            return
        try:
            redis = self._redis()
            keys = await redis.smembers(self._rooms_of_key(self.tag))
            pipe = redis.pipeline(transaction=False)
            for key in keys:
                pipe.srem(key, self.tag)
            pipe.delete(self._rooms_of_key(self.tag))
            pipe.zrem(self._hosts_key, self.tag)
            self._notify(pipe, [], sorted(map(_text, keys)))
            await pipe.execute()
        except Exception as exc:
            log.warning("socket directory: could not leave on shutdown (%s)", type(exc).__name__)
        finally:
            await self._client.aclose()

    # -- socket ids carry the process tag, so an emit to a remote sid goes to one process only ------
    async def pre_connect(self, eio_sid: str, namespace: str) -> str | None:
        sid = f"{self.tag}.{secrets.token_urlsafe(12)}"
        try:
            self.basic_enter_room(sid, namespace, None, eio_sid=eio_sid)
        except ValueDuplicationError:
            return None  # already connected
        self.basic_enter_room(sid, namespace, sid, eio_sid=eio_sid)
        self.pending_connect.setdefault(namespace, []).append(sid)
        return sid

    # -- rooms ----------------------------------------------------------------------------------
    async def enter_room(self, sid: str, namespace: str, room: str, eio_sid: str | None = None) -> None:
        if not (self.is_connected(sid, namespace) or self.is_pre_connected(sid, namespace)):
            await super().enter_room(sid, namespace, room, eio_sid=eio_sid)  # remote socket: broadcast
            return
        self.basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        if room is not None and room != sid:
            self._dirty.add((namespace, room))
            await self._sync_directory()

    def basic_leave_room(self, sid: str, namespace: str, room: str | None) -> None:
        super().basic_leave_room(sid, namespace, room)
        if room is not None and room != sid and room not in self.rooms.get(namespace, {}):
            self._dirty.add((namespace, room))
            self._sync_soon()

    def _sync_soon(self) -> None:
        """A background directory write, for changes nobody needs to wait for (leaves, repairs)."""
        if self._sync_lock is None:
            return
        task = asyncio.ensure_future(self._sync_directory())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _sync_directory(self) -> None:
        """Write the dirty rooms' current local state; concurrent callers share one round trip.

        The same round trip tells the other processes (``<channel>#dir``) and reads which of them are
        live; when rooms were joined, it then waits until each live process has applied the change
        to its mirror, so nothing that happens after ``enter_room`` returns can miss this member."""
        if self._sync_lock is None:
            raise RuntimeError("the manager is not started")
        async with self._sync_lock:
            if not self._dirty:
                return
            dirty, self._dirty = self._dirty, set()
            redis = self._redis()
            pipe = redis.pipeline(transaction=False)
            mine = self._rooms_of_key(self.tag)
            added: list[str] = []
            removed: list[str] = []
            for namespace, room in dirty:
                key = self.room_key(namespace, room)
                if room in self.rooms.get(namespace, {}):
                    pipe.sadd(key, self.tag)
                    pipe.sadd(mine, key)
                    added.append(key)
                else:
                    pipe.srem(key, self.tag)
                    pipe.srem(mine, key)
                    removed.append(key)
            barrier = secrets.token_hex(8) if added else None
            if barrier is not None:
                self._barriers[barrier] = (set(), asyncio.Event())
                pipe.zrangebyscore(self._hosts_key, time.time() - 3 * self._heartbeat_s, "+inf")
            self._notify(pipe, added, removed, barrier)
            try:
                results = await pipe.execute()
                if barrier is not None:
                    live = ({_text(t) for t in results[2 * len(dirty)]} | self._live_peers) - {self.tag}
                    await self._await_acks(barrier, live)
            except Exception as exc:
                # Local delivery never depends on Redis; the heartbeat retries the directory.
                self._dirty |= dirty
                log.warning("socket directory: update failed, will retry (%s)", type(exc).__name__)
            finally:
                if barrier is not None:
                    self._barriers.pop(barrier, None)

    def _notify(self, pipe: Any, added: list[str], removed: list[str], barrier: str | None = None) -> None:
        """Queue the mirror notifications for a directory change on ``pipe`` (same round trip)."""
        if added:
            pipe.publish(self._dir_channel, _encode({"op": "add", "tag": self.tag, "keys": added, "id": barrier}))
        if removed:
            pipe.publish(self._dir_channel, _encode({"op": "del", "tag": self.tag, "keys": removed, "id": None}))

    async def _await_acks(self, barrier: str, live: set[str]) -> None:
        acked, event = self._barriers[barrier]
        deadline = asyncio.get_running_loop().time() + self._ack_timeout_s
        while not live <= acked:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                # A process that is alive but does not read its subscription: it is the one case a
                # member can be missed; say so (it also happens for a process killed seconds ago).
                log.warning("socket directory: %d processes did not confirm a join in time", len(live - acked))
                return
            event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    # -- the mirror of the other processes' rooms -------------------------------------------------
    def _mirror_trusted(self) -> bool:
        return self._mirror_loaded and time.time() >= self._trust_after

    def _apply(self, note: dict[str, Any]) -> None:
        """A directory notification from another process (or our reload's replay)."""
        tag = note.get("tag")
        if not isinstance(tag, str) or tag == self.tag:
            return
        op = note.get("op")
        if self._reload_log is not None and op in ("add", "del"):
            self._reload_log.append(note)
        if op == "add":
            for key in note.get("keys") or ():
                self._remote.setdefault(key, set()).add(tag)
        elif op == "del":
            for key in note.get("keys") or ():
                hosts = self._remote.get(key)
                if hosts is not None:
                    hosts.discard(tag)
                    if not hosts:
                        del self._remote[key]

    def _on_directory_message(self, raw: str | bytes) -> None:
        try:
            note = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return
        if not isinstance(note, dict):
            return
        if note.get("op") == "probe":
            if self._probe is not None and note.get("id") == self._probe[0]:
                self._probe[1].set()
            return
        if note.get("op") == "ack":
            waiting = self._barriers.get(note.get("id"))  # type: ignore[arg-type]
            if waiting is not None and isinstance(note.get("tag"), str):
                waiting[0].add(note["tag"])
                waiting[1].set()
            return
        self._apply(note)
        if note.get("op") == "add" and note.get("id") and note.get("tag") != self.tag:
            ack = _encode({"op": "ack", "id": note["id"], "tag": self.tag})
            self._spawn(self._redis().publish(f"{self.channel}#{note['tag']}", ack))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_log_failure)

    async def _until_subscribed(self, redis: Redis) -> None:
        """Our own probe comes back through the subscription: Redis has it, no notification from now
        on can be missed (the subscribe confirmation itself is swallowed by the pub/sub client)."""
        probe = secrets.token_hex(8)
        self._probe = (probe, asyncio.Event())
        try:
            for _ in range(20):
                await redis.publish(self._dir_channel, _encode({"op": "probe", "tag": self.tag, "id": probe}))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._probe[1].wait(), 0.5)
                    return
            raise TimeoutError("the subscription does not deliver")
        finally:
            self._probe = None

    async def _reload_mirror(self) -> None:
        """Load the other processes' rooms (after subscribing, so no notification falls between).

        We are listed among the live processes first, so a join that did not wait for us was
        written before this read. Notifications that arrive during the read are replayed over it."""
        if self._reloading:
            return
        self._reloading = True
        try:
            redis = self._redis()
            await self._until_subscribed(redis)
            if self._subscribed is not None:
                self._subscribed.set()
            now = time.time()
            self._reload_log = []
            await redis.zadd(self._hosts_key, {self.tag: now})
            pipe = redis.pipeline(transaction=False)
            pipe.set(self._epoch_key, now + 2 * self._heartbeat_s, nx=True)
            pipe.get(self._epoch_key)
            pipe.zrange(self._hosts_key, 0, -1)
            _, complete_after, hosts = await pipe.execute()
            others = [t for t in map(_text, hosts) if t != self.tag]
            pipe = redis.pipeline(transaction=False)
            for tag in others:
                pipe.smembers(self._rooms_of_key(tag))
            remote: dict[str, set[str]] = {}
            for tag, keys in zip(others, await pipe.execute() if others else [], strict=True):
                for key in keys:
                    remote.setdefault(_text(key), set()).add(tag)
            replay, self._reload_log = self._reload_log, None
            self._remote = remote
            for note in replay:
                self._apply(note)
            # A directory that is still settling (cold start, lost data) is filled in by the other
            # processes' repairs, which notify us too: trust the mirror once they have had the time.
            self._trust_after = float(_text(complete_after)) if complete_after is not None else now
            self._mirror_loaded = True
        except Exception as exc:
            self._reload_log = None
            log.warning("socket directory: could not load the mirror, routing every emit (%s)", type(exc).__name__)
        finally:
            self._reloading = False

    def _local_room_keys(self) -> set[str]:
        return {
            self.room_key(namespace, room)
            for namespace, rooms in self.rooms.items()
            for room in rooms
            if room is not None and not self.is_sid_room(namespace, room)
        }

    async def _heartbeat_loop(self) -> None:
        if self._subscribed is None:
            raise RuntimeError("the manager is not started")
        await self._subscribed.wait()  # listed as live only once we can answer a join
        while True:
            try:
                await self._heartbeat()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("socket directory: heartbeat failed (%s)", type(exc).__name__)
            await asyncio.sleep(self._heartbeat_s)

    async def _heartbeat(self) -> None:
        """Say we are alive, repair our own entries, and sweep processes that stopped saying so."""
        redis = self._redis()
        if not self._mirror_loaded and not self._reloading:
            self._spawn(self._reload_mirror())  # a failed load is retried: until then, emits are routed
        now = time.time()
        # No epoch: a cold start or Redis lost its data. Everyone re-writes within one heartbeat, so the
        # directory is trusted again after two; until then emits are broadcast (see _ROUTE).
        await redis.set(self._epoch_key, now + 2 * self._heartbeat_s, nx=True)
        await redis.zadd(self._hosts_key, {self.tag: now})
        local = self._local_room_keys()
        mine = self._rooms_of_key(self.tag)
        if await redis.scard(mine) != len(local):
            recorded = {k.decode() if isinstance(k, bytes) else k for k in await redis.smembers(mine)}
            pipe = redis.pipeline(transaction=False)
            for key in local - recorded:
                pipe.sadd(key, self.tag)
                pipe.sadd(mine, key)
            for key in recorded - local:
                pipe.srem(key, self.tag)
                pipe.srem(mine, key)
            self._notify(pipe, sorted(local - recorded), sorted(recorded - local))
            await pipe.execute()
        live = cast(list[str | bytes], await redis.zrangebyscore(self._hosts_key, now - 3 * self._heartbeat_s, "+inf"))
        self._live_peers = {_text(t) for t in live} - {self.tag}
        dead_hosts = cast(list[str | bytes], await redis.zrangebyscore(self._hosts_key, "-inf", now - self._host_ttl_s))
        for dead in dead_hosts:
            tag = _text(dead)
            keys = await redis.smembers(self._rooms_of_key(tag))
            pipe = redis.pipeline(transaction=False)
            for room_key in keys:
                pipe.srem(room_key, tag)
            pipe.delete(self._rooms_of_key(tag))
            pipe.zrem(self._hosts_key, tag)
            await pipe.execute()
            for hosts in self._remote.values():
                hosts.discard(tag)
            log.info("socket directory: swept a process that stopped answering (%d rooms)", len(keys))

    # -- emit -----------------------------------------------------------------------------------
    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        room = to or room
        if kwargs.get("ignore_queue") or callback is not None or not isinstance(room, str):
            await super().emit(
                event, data, namespace=namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs
            )
            return
        namespace = namespace or "/"
        await self._emit_local(event, data, namespace, room, skip_sid)
        if self.is_sid_room(namespace, room):
            return  # one of our own sockets: nobody else can have it
        message = {
            "method": "emit",
            "event": event,
            "data": list(data) if isinstance(data, tuple) else [data],
            "binary": False,
            "namespace": namespace,
            "room": room,
            "skip_sid": skip_sid,
            "callback": None,
            "host_id": self.host_id,
        }
        tag, dot, rest = room.partition(".")
        remote_sid = bool(dot and len(tag) == len(self.tag) and len(rest) == 16 and _is_hex(tag))
        key = self.room_key(namespace, room)
        if not remote_sid and self._mirror_trusted() and not self._remote.get(key):
            _LOCAL.inc()
            return  # no member on any other process: delivered, and no Redis call
        _ROUTED.inc()
        if packet.Packet.data_is_binary(message["data"]):
            await super()._publish(message)  # rare; the classic path encodes attachments
            return
        if remote_sid:
            # A socket id of another process: straight to that process.
            await self._redis().publish(f"{self.channel}#{tag}", self.json.dumps(message))
            return
        await self._route(key, self.json.dumps(message))

    async def _emit_local(self, event: str, data: Any, namespace: str, room: str, skip_sid: Any) -> None:
        """Deliver to this process's members: encode once, and no task per recipient."""
        members = self.rooms.get(namespace, {}).get(room)
        if not members:
            return
        if isinstance(data, tuple):
            args = list(data)
        elif data is not None:
            args = [data]
        else:
            args = []
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        recipients = [eio_sid for sid, eio_sid in members.items() if sid not in skip]
        if not recipients:
            return
        encoded = self.server.packet_class(packet.EVENT, namespace=namespace, data=[event, *args]).encode()
        if not isinstance(encoded, list):
            encoded = [encoded]
        pkts = [eio_packet.Packet(eio_packet.MESSAGE, p) for p in encoded]
        for eio_sid in recipients:
            for pkt in pkts:
                try:
                    await self.server._send_eio_packet(eio_sid, pkt)
                except Exception:  # a socket closing under us: the others still get theirs
                    log.debug("socket gone while sending")

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("callback") or message.get("binary") or not isinstance(message.get("room"), str):
            await super()._handle_emit(message)
            return
        data = message["data"]
        if isinstance(data, list):
            data = data[0] if len(data) == 1 else tuple(data)
        await self._emit_local(
            message["event"], data, message.get("namespace") or "/", message["room"], message.get("skip_sid")
        )

    # -- routing: group commit of concurrent emits into one Lua call ---------------------------
    async def _route(self, key: str, payload: str) -> None:
        """Queue for the next Lua call. Not awaited: local delivery and the ack need not wait a Redis
        round trip, and the outbox is FIFO, so emits from this process keep their order. Emitters wait
        only when Redis falls behind (backpressure)."""
        if self._outbox_ready is None or self._closed:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outbox.append((key, payload, done))
        self._outbox_ready.set()
        if len(self._outbox) > _BACKPRESSURE:
            await done

    async def _route_loop(self) -> None:
        if self._outbox_ready is None:
            raise RuntimeError("the manager is not started")
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            while self._outbox:
                batch, self._outbox = self._outbox[:_MAX_BATCH], self._outbox[_MAX_BATCH:]
                try:
                    self._redis()
                    await self._route_script(
                        keys=[self._epoch_key, *(key for key, _, _ in batch)],
                        args=[
                            self.tag,
                            f"{self.channel}#",
                            time.time(),
                            self.channel,
                            *(payload for _, payload, _ in batch),
                        ],
                    )
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    # Same contract as AsyncRedisManager: local delivery stands, the remote copy is
                    # lost and logged; clients recover with ``resume``.
                    log.error("socket routing: publish failed for %d emits (%s)", len(batch), type(exc).__name__)
                for _, _, done in batch:
                    if not done.done():
                        done.set_result(None)

    # -- receiving: our private channel plus the classic broadcast channel -------------------------
    async def _redis_listen_with_retries(self) -> Any:
        retry_sleep = 1.0
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._mirror_loaded = False  # notifications may have been missed: reload it
                    self._redis_connect()
                    await self.pubsub.subscribe(self.channel, self.own_channel, self._dir_channel)
                    subscribed = True
                    retry_sleep = 1.0
                    self._spawn(self._reload_mirror())
                    # Redis may have restarted empty: rewrite our directory entries now.
                    self._dirty |= {
                        (ns, r)
                        for ns, rooms in self.rooms.items()
                        for r in rooms
                        if r is not None and not self.is_sid_room(ns, r)
                    }
                    self._sync_soon()
                    self._catch_up()
                async for message in self.pubsub.listen():
                    yield message
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("socket routing: cannot receive from Redis, retrying in %.0f s (%s)", retry_sleep, exc)
                if self._unsubscribed_since is None:
                    self._unsubscribed_since = time.time()
                self._mirror_loaded = False
                subscribed = False
                await asyncio.sleep(retry_sleep)
                retry_sleep = min(retry_sleep * 2, 2.0)  # Redis back: resubscribe (and repair) soon

    def _catch_up(self) -> None:
        """Subscribed again after a break: whatever other processes published meanwhile was lost for
        our sockets, so the app re-delivers what matters (escalations) from PostgreSQL, in the background."""
        since, self._unsubscribed_since = self._unsubscribed_since, None
        if since is None or self.on_resubscribed is None:
            return
        task = asyncio.ensure_future(self._run_catch_up(self.on_resubscribed, since))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    @staticmethod
    async def _run_catch_up(callback: Callable[[float], Awaitable[None]], since: float) -> None:
        try:
            await callback(since)
        except Exception as exc:
            log.error("socket routing: catching up after a Redis break failed (%s)", type(exc).__name__)

    async def _listen(self) -> Any:
        channels = {self.channel, self.own_channel, self.channel.encode(), self.own_channel.encode()}
        directory = {self._dir_channel, self._dir_channel.encode()}
        async for message in self._redis_listen_with_retries():
            if message["type"] != "message" or "data" not in message:
                continue
            data = message["data"]
            if message["channel"] in directory or (message["channel"] in channels and _is_note(data)):
                self._on_directory_message(data)  # mirror notifications and join acks, in order
            elif message["channel"] in channels:
                yield data


def _encode(note: dict[str, Any]) -> str:
    return orjson.dumps(note).decode()  # "op" first: _is_note tells a note from an emit cheaply


def _is_note(data: str | bytes) -> bool:
    return data[:6] in ('{"op":', b'{"op":')


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("socket directory: background step failed (%s)", type(task.exception()).__name__)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)
