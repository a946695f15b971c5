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
from typing import Any

import socketio
from bidict import ValueDuplicationError
from engineio import packet as eio_packet
from redis.asyncio import Redis
from socketio import packet

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

_MAX_BATCH = 256
_BACKPRESSURE = 2048  # routed emits waiting for Redis before emitters start waiting too


class LocalFirstRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    name = "peerline-redis"

    def __init__(
        self,
        url: str,
        channel: str = "socketio",
        redis_options: dict[str, Any] | None = None,
        key_prefix: str = "{pl}:sio",
        heartbeat_s: float = 2.0,
        host_ttl_s: float = 60.0,
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

    # -- names ----------------------------------------------------------------------------------
    @property
    def own_channel(self) -> str:
        return f"{self.channel}#{self.tag}"

    def room_key(self, namespace: str, room: str) -> str:
        return f"{self._prefix}:room:{namespace}:{room}"

    def _rooms_of_key(self, tag: str) -> str:
        return f"{self._prefix}:rooms-of:{tag}"

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
        """Write the dirty rooms' current local state; concurrent callers share one round trip."""
        assert self._sync_lock is not None
        async with self._sync_lock:
            if not self._dirty:
                return
            dirty, self._dirty = self._dirty, set()
            redis = self._redis()
            pipe = redis.pipeline(transaction=False)
            mine = self._rooms_of_key(self.tag)
            for namespace, room in dirty:
                key = self.room_key(namespace, room)
                if room in self.rooms.get(namespace, {}):
                    pipe.sadd(key, self.tag)
                    pipe.sadd(mine, key)
                else:
                    pipe.srem(key, self.tag)
                    pipe.srem(mine, key)
            try:
                await pipe.execute()
            except Exception as exc:
                # Local delivery never depends on Redis; the heartbeat retries the directory.
                self._dirty |= dirty
                log.warning("socket directory: update failed, will retry (%s)", type(exc).__name__)

    def _local_room_keys(self) -> set[str]:
        return {
            self.room_key(namespace, room)
            for namespace, rooms in self.rooms.items()
            for room in rooms
            if room is not None and not self.is_sid_room(namespace, room)
        }

    async def _heartbeat_loop(self) -> None:
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
            await pipe.execute()
        for dead in await redis.zrangebyscore(self._hosts_key, "-inf", now - self._host_ttl_s):
            tag = dead.decode() if isinstance(dead, bytes) else dead
            keys = await redis.smembers(self._rooms_of_key(tag))
            pipe = redis.pipeline(transaction=False)
            for key in keys:
                pipe.srem(key, tag)
            pipe.delete(self._rooms_of_key(tag))
            pipe.zrem(self._hosts_key, tag)
            await pipe.execute()
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
        if packet.Packet.data_is_binary(message["data"]):
            await super()._publish(message)  # rare; the classic path encodes attachments
            return
        tag, dot, rest = room.partition(".")
        if dot and len(tag) == len(self.tag) and len(rest) == 16 and _is_hex(tag):
            # A socket id of another process: straight to that process.
            await self._redis().publish(f"{self.channel}#{tag}", self.json.dumps(message))
            return
        await self._route(self.room_key(namespace, room), self.json.dumps(message))

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
        assert self._outbox_ready is not None
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
                    self._redis_connect()
                    await self.pubsub.subscribe(self.channel, self.own_channel)
                    subscribed = True
                    retry_sleep = 1.0
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
        async for message in self._redis_listen_with_retries():
            if message["channel"] in channels and message["type"] == "message" and "data" in message:
                yield message["data"]


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)
