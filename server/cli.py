"""``python -m server``: serve, migrate, and the operator commands (PROTOCOL.md, README)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import gc
import logging
import re
import secrets
import signal
import sys
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from server.config import ConfigError, Settings
from server.vocabulary import STAFF_ROLES, Role

log = logging.getLogger("server")

# No client address (privacy), no headers: the request line, status, size and time only.
ACCESS_LOG_FORMAT = '"%r" %s %b %Tf'


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m server", description="Peerline service")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the service (the default)")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--host", default=None)
    sub.add_parser("migrate", help="bring the database schema up to date")
    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="user_command", required=True)
    add = user.add_parser("add", help="create a staff account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=[r.value for r in STAFF_ROLES])
    add.add_argument("--topics", default="", help="comma-separated topic ids (default: every topic)")
    add.add_argument("--languages", default="en")
    add.add_argument(
        "--display-name", default=None, help="the name seekers and colleagues see; never the login (derived if unset)"
    )
    add.add_argument("--max-chats", type=int, default=3)
    add.add_argument("--facilitates", action="store_true", help="may facilitate support groups")
    add.add_argument("--password-stdin", action="store_true", required=True)
    edit = user.add_parser("edit", help="change a staff account's capabilities")
    edit.add_argument("name")
    facilitates = edit.add_mutually_exclusive_group(required=True)
    facilitates.add_argument("--facilitates", dest="facilitates", action="store_true", default=None)
    facilitates.add_argument("--no-facilitates", dest="facilitates", action="store_false")
    user.add_parser("list", help="list staff accounts")
    deactivate = user.add_parser("deactivate", help="stop an account from logging in or connecting")
    deactivate.add_argument("name")
    audit = sub.add_parser("audit", help="list the audit log, newest first")
    audit.add_argument("--limit", type=int, default=200)
    alarms = sub.add_parser("false-alarms", help="escalations resolved as false alarms (to tune the lexicon)")
    alarms.add_argument("--limit", type=int, default=200)
    export = sub.add_parser(
        "export-labels", help="supervisors' resolutions as training rows for python -m escalation train --extra"
    )
    export.add_argument("out", type=Path, help="JSON Lines file to write (mode 600: it holds seekers' words)")
    export.add_argument("--since", type=_date, help="only escalations resolved on or after this date (YYYY-MM-DD)")
    sub.add_parser("purge", help="delete transcripts past RETENTION_DAYS (ESCALATION_RETENTION_DAYS with escalations)")
    sub.add_parser("rotate-keys", help="re-seal stored message bodies with the current MESSAGE_KEY")
    from server.group_commands import add_parsers as add_group_parsers

    add_group_parsers(sub)
    keygen = sub.add_parser("new-key", help="print a fresh MESSAGE_KEY value (KEYID:BASE64)")
    keygen.add_argument("key_id")
    return parser


def _date(raw: str) -> datetime:
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {raw!r}") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "serve"
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    # The embedded PostgreSQL's driver logs every pg_ctl command line at INFO: noise around an operator
    # command's one useful line, and nothing an operator of the service acts on. Its warnings still show.
    logging.getLogger("pgserver").setLevel(logging.DEBUG if settings.log_level == "DEBUG" else logging.WARNING)
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    from server.security.crypto import KeyError_, build_cipher, configure

    try:
        configure(build_cipher(settings.message_key, settings.message_keys_old))
    except KeyError_ as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        if command == "serve":  # also `python -m server` alone, which has no --port/--host
            if getattr(args, "port", None) is not None:
                settings = dataclasses.replace(settings, port=args.port)
            if getattr(args, "host", None) is not None:
                settings = dataclasses.replace(settings, host=args.host)
            return serve(settings)
        if command == "new-key":
            from server.security.crypto import new_key_spec

            print(new_key_spec(args.key_id))
            return 0
        with database_url(settings) as dsn:
            return asyncio.run(_admin(command, args, dsn, settings))
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2


@contextlib.contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """The configured database, or the embedded one (started, or joined if the server runs)."""
    if settings.database_url:
        yield settings.database_url
        return
    if settings.redis_url:
        raise ConfigError("REDIS_URL is set but DATABASE_URL is not")
    from server.runtime.embedded import postgres_only

    dsn, handle = postgres_only(settings.data_dir)
    try:
        yield dsn
    finally:
        handle.cleanup()  # type: ignore[attr-defined]


async def _admin(command: str, args: argparse.Namespace, dsn: str, settings: Settings) -> int:
    from server.store import audit, escalations
    from server.store.migrate import migrate
    from server.store.pool import connect

    conn = await connect(dsn)
    try:
        await migrate(conn)
        if command == "migrate":
            print("database schema is up to date")
            return 0
        if command == "user":
            return await _user(conn, args, settings)
        if command == "group":
            from server.group_commands import run as run_group

            return await run_group(conn, args, settings)
        if command == "audit":
            for row in await audit.listing(conn, args.limit):
                print(_line(row))
            return 0
        if command == "false-alarms":
            for row in await escalations.false_alarms(conn, args.limit):
                print(_line(row))
            return 0
        if command == "export-labels":
            from server.domain.training_labels import export_labels

            try:
                count = await export_labels(conn, args.out, since=args.since, window=settings.detector_window)
            except OSError as exc:
                print(f"cannot write {args.out}: {exc.strerror}", file=sys.stderr)
                return 2
            print(f"wrote {count} training rows to {args.out}")
            return 0
        if command == "purge":
            from server.store.retention import purge

            result = await purge(
                conn,
                retention_days=settings.retention_days,
                escalation_retention_days=settings.escalation_retention_days,
            )
            print(f"purged {result.conversations} conversations, {result.messages} messages, {result.seekers} seekers")
            from server.store.groups import purge as purge_groups

            group_messages = await purge_groups(conn, settings.group_retention_hours)
            print(
                f"purged {group_messages} group messages past GROUP_RETENTION_HOURS={settings.group_retention_hours:g}"
            )
            return 0
        if command == "rotate-keys":
            from server.store import messages

            if not settings.message_key:
                print("MESSAGE_KEY is not set: nothing to rotate to", file=sys.stderr)
                return 2
            bodies = await messages.rotate_keys(conn)
            spans = await escalations.rotate_keys(conn)
            print(f"re-sealed {bodies} message bodies and {spans} escalations' evidence with the current key")
            return 0
    finally:
        await conn.close()
    return 2


def _same_name(a: str, b: str) -> bool:
    """ "Alice", "alice" and "a.lice" all give the login away."""
    return re.sub(r"[^a-z0-9]", "", a.casefold()) == re.sub(r"[^a-z0-9]", "", b.casefold())


def _check_new_user(args: argparse.Namespace, settings: Settings) -> tuple[list[str], list[str]] | str:
    """The account's topics and languages, or why it cannot be created. Seekers are anonymous and staff
    logins are private: the display name is what they see, so it must be given and must not be the login.
    Without ``--display-name`` one is derived that says nothing about the login ("Listener 4821").
    No ``--topics`` means every topic (an account with none would get no chats until the topic wait ends)."""
    display = (args.display_name or "").strip()
    if args.display_name is not None and not display:
        return "--display-name must not be empty"
    if display and _same_name(display, args.name):
        return "--display-name must not be the login: seekers would learn a staff username"
    if not 1 <= args.max_chats <= 20:
        return "--max-chats must be between 1 and 20"
    topics = [t.strip() for t in args.topics.split(",") if t.strip()]
    unknown = sorted(set(topics) - settings.topic_ids)
    if unknown:
        return f"unknown --topics {','.join(unknown)}; known: {','.join(t.id for t in settings.topics)}"
    languages = [t.strip() for t in args.languages.split(",") if t.strip()] or ["en"]
    unknown = sorted(set(languages) - settings.language_ids)
    if unknown:
        return f"unknown --languages {','.join(unknown)}; known: {','.join(t.id for t in settings.languages)}"
    return topics or [t.id for t in settings.topics], languages


def _derived_name(role: str) -> str:
    return f"{'Supervisor' if role != 'listener' else 'Listener'} {secrets.randbelow(9000) + 1000}"


async def _user(conn: Any, args: argparse.Namespace, settings: Settings) -> int:
    from server.security.auth import hash_password
    from server.store import users

    if args.user_command == "add":
        checked = _check_new_user(args, settings)
        if isinstance(checked, str):
            print(checked, file=sys.stderr)
            return 2
        topics, languages = checked
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 8:
            print("password must be at least 8 characters (read from standard input)", file=sys.stderr)
            return 2
        try:
            user = await users.create(
                conn,
                username=args.name,
                display_name=(args.display_name or "").strip() or _derived_name(args.role),
                password_hash=hash_password(password),
                role=args.role,
                topics=topics,
                languages=languages,
                max_chats=args.max_chats,
            )
        except users.UsernameTaken:
            print(f"user {args.name!r} already exists", file=sys.stderr)
            return 1
        if args.facilitates:
            from server.store.users import set_facilitator

            await set_facilitator(conn, user.username, True)
        print(f"created {user.role} {user.username} ({user.id}), shown to others as {user.display_name!r}")
        if args.facilitates:
            print("they may facilitate support groups")
        if not args.display_name:
            print("(no --display-name given: that name was derived; the login is never shown to seekers)")
        if user.role == Role.LISTENER:
            print("they start Away: after signing in at /listener, choose Available to receive chats")
        return 0
    if args.user_command == "list":
        for u in await users.all_users(conn):
            state = "active" if u.active else "deactivated"
            print(f"{u.username}\t{u.role}\t{state}\ttopics={','.join(u.topics)}\tlanguages={','.join(u.languages)}")
        return 0
    if args.user_command == "edit":
        from server.store.users import set_facilitator

        if not await set_facilitator(conn, args.name, bool(args.facilitates)):
            print(f"no user {args.name!r}", file=sys.stderr)
            return 1
        print(f"{args.name} {'may' if args.facilitates else 'may no longer'} facilitate support groups")
        return 0
    if args.user_command == "deactivate":
        deactivated = await users.set_active(conn, args.name, False)
        if deactivated is None:
            print(f"no user {args.name!r}", file=sys.stderr)
            return 1
        print(f"deactivated {deactivated.username}")
        return 0
    return 2


def _line(row: Any) -> str:
    return "\t".join("" if v is None else str(v) for v in row.values())


def serve(settings: Settings) -> int:
    """Run until SIGINT/SIGTERM; on the embedded default, own the embedded services' lifetime."""
    with contextlib.ExitStack() as stack:
        if settings.embedded:
            from server.runtime.embedded import EmbeddedServices

            embedded = stack.enter_context(EmbeddedServices(settings.data_dir))
            settings = dataclasses.replace(
                settings,
                database_url=embedded.database_url,
                redis_url=embedded.redis_url,
                jwt_secret=settings.jwt_secret or embedded.secret,
            )
        settings.require_complete()
        try:
            import uvloop
        except ImportError:  # pragma: no cover - uvloop is a dependency on Linux
            runner = asyncio.run
        else:
            runner = uvloop.run
        runner(_serve(settings))
    return 0


async def _serve(settings: Settings) -> None:
    from aiohttp import web

    from server.app import create_app
    from server.store.migrate import migrate
    from server.store.pool import connect

    if not settings.database_url:
        raise SystemExit("DATABASE_URL is required")
    conn = await connect(settings.database_url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    app = create_app(settings)
    runner = web.AppRunner(
        app,
        handle_signals=False,
        shutdown_timeout=settings.shutdown_grace_s,
        access_log_format=ACCESS_LOG_FORMAT,
    )
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, reuse_address=True)
    await site.start()
    gc.collect()
    gc.freeze()  # start-up objects never need scanning again: shorter GC pauses under load
    gc.set_threshold(*settings.gc_thresholds)  # measured: docs/performance.md "Garbage collection"
    log.info("serving on %s:%d", settings.host, settings.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down")
    await runner.cleanup()
