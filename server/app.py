"""Wiring: one ``Services`` object per process, the aiohttp app, the Socket.IO server, background jobs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

import orjson
import socketio
from aiohttp import web
from redis.asyncio import Redis
from socketio import async_server as socketio_async_server

from escalation.offload import AssessmentWorker, DetectorConfig
from escalation.resources import load_guide, load_resources
from matching.keys import KEYS
from matching.pairing import Pairing
from matching.presence import ListenerPresence, Seen
from matching.queue import WaitingQueue
from server.config import Settings
from server.domain.absence import Absence
from server.domain.alerts import AlertChannel
from server.domain.assignments import Assignments
from server.domain.chat import ChatService
from server.domain.groups.service import GroupService
from server.domain.listeners import ListenerService
from server.domain.notify import Notifier
from server.domain.overview import Overview
from server.domain.supervision import Supervision
from server.edge.frames import StrictAsyncServer, quiet_library_errors
from server.edge.gateway.groups import GroupNamespace
from server.edge.gateway.listener import ListenerNamespace
from server.edge.gateway.seeker import SeekerNamespace
from server.edge.gateway.supervisor import SupervisorNamespace
from server.edge.group_routes import add_group_routes
from server.edge.http_api import add_routes, errors_as_json, same_site_posts
from server.edge.origins import engineio_origin_check
from server.edge.static import add_static_routes, security_headers
from server.metrics import DETECTOR_UNREVIEWED, DETECTOR_WORKER_FAILURES
from server.runtime.heartbeat import Heartbeat
from server.runtime.jobs import PeriodicJobs
from server.runtime.leader import LeaderLock
from server.runtime.loop_lag import watch_loop_lag
from server.runtime.queue_watch import QueueWatch
from server.runtime.redis_options import redis_options
from server.runtime.socket_manager import LocalFirstRedisManager
from server.runtime.token_watch import TokenWatch
from server.security.auth import TokenIssuer
from server.security.identity import Identity
from server.security.limits import build_limits
from server.security.revocation import Revocations
from server.security.sessions import Sessions
from server.services import SERVICES, Services
from server.store.pool import create_pool
from server.vocabulary import Role

log = logging.getLogger(__name__)


UNDECODABLE_EVENT = "\u0000undecodable"
CATCH_UP_MARGIN_S = 5.0
BACKGROUND_STOP_S = 5.0


class OrjsonForSocketIO:
    """python-socketio's ``json`` hook: orjson is several times faster on every packet.

    What orjson refuses (a lone surrogate from a widget that cut an emoji in half, NaN) goes to the
    standard library, so validation can answer ``invalid``; what nothing can parse becomes an event
    no handler has, so the client still gets an ``invalid`` ack instead of waiting forever.
    """

    @staticmethod
    def dumps(obj: Any, **_: Any) -> str:
        return orjson.dumps(obj).decode()

    @staticmethod
    def loads(raw: str | bytes, **_: Any) -> Any:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
        try:
            return json.loads(raw)
        except ValueError:
            return [UNDECODABLE_EVENT]


async def build_services(settings: Settings, sio: socketio.AsyncServer) -> Services:
    if not (settings.database_url and settings.redis_url and settings.jwt_secret):
        raise ValueError("DATABASE_URL, REDIS_URL and JWT_SECRET are required")
    pool = await create_pool(settings.database_url, size=settings.db_pool_size)
    redis = Redis.from_url(settings.redis_url, decode_responses=True, **redis_options(settings.redis_max_connections))
    sessions = Sessions()
    notifier = Notifier(sio)
    queue = WaitingQueue(redis)
    presence = ListenerPresence(redis)
    seen: dict[str, Seen] = {
        Role.LISTENER: presence.seen,
        Role.SEEKER: Seen(redis, Role.SEEKER),
        Role.SUPERVISOR: Seen(redis, Role.SUPERVISOR),
    }
    pairing = Pairing(redis, topic_wait_s=settings.match_topic_wait_s)
    assignments = Assignments(pool=pool, queue=queue, presence=presence, pairing=pairing, notifier=notifier)
    # The first start compiles the lexicons (tens of seconds on a small machine) and caches the result;
    # an operator watching a silent terminal would think the service hung.
    log.info(
        "loading the crisis detector in its worker process"
        " (the first start compiles the lexicons and caches them; later starts are quick)"
    )
    started = time.monotonic()
    assessor = AssessmentWorker(
        DetectorConfig(
            languages=tuple(sorted(settings.language_ids)),
            cache_dir=settings.data_dir / "cache",
            window=settings.detector_window,
            alert_threshold=settings.escalation_alert_threshold,
            watch_threshold=settings.escalation_watch_threshold,
            model=settings.detector_model,
        ),
        deadline_s=settings.detector_deadline_s,
        on_failure=DETECTOR_WORKER_FAILURES.inc,
        on_unreviewed=DETECTOR_UNREVIEWED.inc,
    )
    await assessor.start()
    log.info("crisis detector ready in %.1f s", time.monotonic() - started)
    alerts = AlertChannel(
        pool=pool,
        assessor=assessor,
        resources=load_resources(str(settings.crisis_resources_file) if settings.crisis_resources_file else None),
        guide=load_guide(str(settings.crisis_guide_file) if settings.crisis_guide_file else None),
        queue=queue,
        supervisors=seen[Role.SUPERVISOR],
        notifier=notifier,
        realert_s=settings.escalation_realert_s,
        page_after_s=settings.escalation_page_after_s,
        webhook_url=settings.escalation_webhook_url,
        dashboard_url=settings.dashboard_url,
    )

    async def pair_raised(conversation_id: str) -> None:
        await assignments.pair_waiting(conversation_id=conversation_id)

    alerts.on_queue_raised = pair_raised
    assignments.risk_brief = alerts.risk_brief
    groups = GroupService(
        pool=pool,
        redis=redis,
        sio=sio,
        alerts=alerts,
        notifier=notifier,
        supervisors=seen[Role.SUPERVISOR],
        queue=queue,
        resources=load_resources(str(settings.crisis_resources_file) if settings.crisis_resources_file else None),
        topics=settings.topic_ids,
        languages=settings.language_ids,
        detector_window=settings.detector_window,
        absence_grace_s=settings.seeker_grace_s,
        pair_waiting=lambda conversation_id: assignments.pair_waiting(conversation_id=conversation_id),
        hand_to=lambda conversation_id, listener_id: assignments.pair_waiting(
            conversation_id=conversation_id, listener_id=listener_id
        ),
    )
    chat = ChatService(
        pool=pool,
        queue=queue,
        assignments=assignments,
        risk=alerts,
        notifier=notifier,
        topics=settings.topic_ids,
        languages=settings.language_ids,
        detector_window=settings.detector_window,
    )
    listeners = ListenerService(pool=pool, presence=presence, assignments=assignments)
    absence = Absence(
        pool=pool,
        presence=presence,
        seekers_seen=seen[Role.SEEKER],
        assignments=assignments,
        chat=chat,
        notifier=notifier,
        listener_grace_s=settings.listener_grace_s,
        seeker_grace_s=settings.seeker_grace_s,
    )
    overview = Overview(pool=pool, queue=queue, presence=presence, notifier=notifier)
    revocations = Revocations(redis)
    jobs = PeriodicJobs(LeaderLock(redis, KEYS.leader("jobs")), interval_s=min(1.0, settings.pairing_interval_s))
    jobs.every("pair", settings.pairing_interval_s, assignments.pair_waiting)
    jobs.every("reconcile", 5.0, assignments.reconcile)
    jobs.every("loads", 5.0, assignments.reconcile_loads)
    jobs.every("absence", 1.0, absence.expire)
    jobs.every("realert", min(1.0, settings.escalation_realert_s), alerts.realert_due)
    jobs.every("page", 1.0, alerts.page_due)
    jobs.every("overview", 1.0, overview.publish_if_changed)
    jobs.every("groups", 5.0, groups.end_overdue)
    jobs.every("group_absence", max(1.0, min(5.0, settings.seeker_grace_s)), groups.release_absent)
    return Services(
        settings=settings,
        pool=pool,
        redis=redis,
        sio=sio,
        tokens=TokenIssuer(settings.jwt_secret),
        sessions=sessions,
        identity=Identity(pool),
        limits=build_limits(settings.rate_limits, settings.redis_url, settings.redis_max_connections),
        revocations=revocations,
        token_watch=TokenWatch(
            pool=pool, sessions=sessions, revocations=revocations, sio=sio, interval_s=settings.token_check_interval_s
        ),
        notifier=notifier,
        queue=queue,
        presence=presence,
        seen=seen,
        assignments=assignments,
        alerts=alerts,
        chat=chat,
        listeners=listeners,
        supervision=Supervision(
            pool=pool, chat=chat, queue=queue, assignments=assignments, notifier=notifier, alerts=alerts
        ),
        overview=overview,
        queue_watch=QueueWatch(
            queue=queue, sessions=sessions, sio=sio, interval_s=settings.queue_update_interval_s, presence=presence
        ),
        jobs=jobs,
        heartbeat=Heartbeat(
            redis=redis, sessions=sessions, seen=seen, listeners=listeners, assignments=assignments, groups=groups
        ),
        groups=groups,
    )


async def stop_background(services: Services) -> None:
    """Cancel the background loops; a stop must end, so one that does not finish within
    ``BACKGROUND_STOP_S`` is named in the log and left behind rather than awaited for ever."""
    for task in services.tasks:
        task.cancel()
    if services.tasks:
        _, stuck = await asyncio.wait(services.tasks, timeout=BACKGROUND_STOP_S)
        for task in stuck:
            log.warning("background task %s did not stop within %.0f s", task.get_name(), BACKGROUND_STOP_S)
    services.tasks.clear()


def create_app(settings: Settings) -> web.Application:
    """The aiohttp application; services are built on startup (inside the running loop)."""
    app = web.Application(middlewares=[errors_as_json, security_headers, same_site_posts], client_max_size=64 * 1024)
    # Local delivery first; Redis carries only what another process needs (server/runtime/socket_manager.py).
    if not settings.redis_url:
        raise ValueError("REDIS_URL is required (python -m server serve starts embedded services when both are unset)")
    manager = LocalFirstRedisManager(
        settings.redis_url,
        redis_options=redis_options(settings.redis_max_connections, commands=False),
    )
    quiet_library_errors()  # a malformed long-polling POST: one line, no traceback (server/edge/frames.py)
    sio = StrictAsyncServer(  # closes a connection at its first malformed frame (server/edge/frames.py)
        async_mode="aiohttp",
        client_manager=manager,
        cors_allowed_origins=engineio_origin_check(settings.allowed_origins),  # ours + ALLOWED_ORIGINS only
        json=OrjsonForSocketIO,
        max_http_buffer_size=64 * 1024,
        ping_interval=20,
        ping_timeout=20,
        logger=False,
        engineio_logger=False,
    )
    sio.attach(app)
    add_routes(app)
    add_group_routes(app)
    add_static_routes(app, settings.static_dir, settings.allowed_origins)

    async def startup(app: web.Application) -> None:
        services = await build_services(settings, sio)
        app[SERVICES] = services

        async def catch_up(since: float) -> None:
            # a few seconds' margin: a publish just before the break may not have arrived either
            await services.alerts.redeliver_since(datetime.fromtimestamp(since - CATCH_UP_MARGIN_S, UTC))

        manager.on_resubscribed = catch_up
        sio.register_namespace(SeekerNamespace(services))
        sio.register_namespace(ListenerNamespace(services))
        sio.register_namespace(SupervisorNamespace(services))
        sio.register_namespace(GroupNamespace(services, services.groups))
        await services.groups.relay.start()
        services.tasks.append(asyncio.create_task(services.jobs.run(), name="jobs"))
        services.tasks.append(asyncio.create_task(services.queue_watch.run(), name="queue_watch"))
        services.tasks.append(asyncio.create_task(services.heartbeat.run(), name="heartbeat"))
        services.tasks.append(asyncio.create_task(services.token_watch.run(), name="token_watch"))
        services.tasks.append(asyncio.create_task(watch_loop_lag(), name="loop_lag"))

    async def shutdown(app: web.Application) -> None:
        """SIGTERM: the listening socket is already closed; finish in-flight writes, then drop every
        transport without a close packet so clients reconnect (to another process) and resume."""
        services = app[SERVICES]
        services.draining = True
        await stop_background(services)  # another process takes the periodic jobs over at once
        pending = [t for t in list(socketio_async_server.task_reference_holder) if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=settings.shutdown_grace_s / 2)
        for sock in list(sio.eio.sockets.values()):
            with contextlib.suppress(Exception):
                await sock.close(wait=False, abort=True)
                await sock.queue.put(None)  # ends its writer, which closes the WebSocket itself
        log.info("drained: %d in-flight events finished, clients told to reconnect", len(pending))

    async def cleanup(app: web.Application) -> None:
        services = app[SERVICES]
        await stop_background(services)
        await services.groups.relay.close()
        await manager.close()
        await services.alerts.close()
        await services.redis.aclose()
        await services.pool.close()

    app.on_startup.append(startup)
    app.on_shutdown.append(shutdown)
    app.on_cleanup.append(cleanup)
    return app
