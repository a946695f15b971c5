"""``python -m server group ...`` and the ``facilitator`` capability of staff accounts, for operators.

The same rules as the staff events: a group's facilitators must hold the capability; topics and
languages must be configured ones; capacity 2–50 (default 12). Prints ids, never a seeker's words.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

import asyncpg

from server.config import Settings
from server.domain.groups.rules import DEFAULT_CAPACITY, DURATION_MAX, DURATION_MIN, MAX_CAPACITY, MIN_CAPACITY
from server.store import groups as store
from server.store import users
from server.vocabulary import GroupSessionStatus


def add_parsers(sub: Any) -> None:
    group = sub.add_parser("group", help="support groups and their sessions").add_subparsers(
        dest="group_command", required=True
    )
    add = group.add_parser("add", help="create a group (and, with --start or --now, its first session)")
    add.add_argument("title")
    add.add_argument("--topic", required=True)
    add.add_argument("--language", default="en")
    add.add_argument("--description", default="")
    add.add_argument("--guidelines", default="")
    add.add_argument("--capacity", type=int, default=DEFAULT_CAPACITY)
    add.add_argument("--facilitators", default="", help="comma-separated usernames holding the facilitator capability")
    _session_arguments(add)
    schedule = group.add_parser("schedule", help="add a session to a group")
    schedule.add_argument("group_id")
    _session_arguments(schedule)
    group.add_parser("list", help="groups and their sessions")
    cancel = group.add_parser("cancel", help="cancel a session (its id) or a group and its coming sessions")
    cancel.add_argument("id")


def _session_arguments(parser: argparse.ArgumentParser) -> None:
    when = parser.add_mutually_exclusive_group()
    when.add_argument("--start", type=_when, help="ISO-8601 start time with its zone, e.g. 2026-12-01T18:00:00+00:00")
    when.add_argument("--now", action="store_true", help="a drop-in session that opens now")
    parser.add_argument("--duration", type=int, default=60, help="minutes (default 60)")


def _when(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 time: {raw!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("give the time zone too (Z or +01:00)")
    return value


async def run(conn: asyncpg.Connection, args: argparse.Namespace, settings: Settings) -> int:
    command = args.group_command
    if command == "add":
        return await _add(conn, args, settings)
    if command == "schedule":
        group = await store.get_group(conn, args.group_id) if _is_uuid(args.group_id) else None
        if group is None:
            print(f"no group {args.group_id!r}", file=sys.stderr)
            return 1
        return await _schedule(conn, group.id, args)
    if command == "list":
        for group in await store.list_groups(conn, include_cancelled=True):
            state = "cancelled" if group.cancelled_at else "active"
            names = ",".join(name for _, name in group.facilitators)
            print(
                f"group {group.id}\t{group.title}\t{group.topic}\t{group.language}\tcapacity={group.capacity}"
                f"\t{state}\tfacilitators={names}"
            )
            for session in await store.sessions_of_group(conn, group.id):
                wire = session.to_wire()
                print(
                    f"  session {session.id}\t{wire['starts_at']}\t{session.duration_min} min\t{wire['state']}"
                    f"\tseats_left={wire['seats_left']}"
                )
        return 0
    if command == "cancel":
        if not _is_uuid(args.id):
            print(f"not an id: {args.id!r}", file=sys.stderr)
            return 2
        if await store.get_session(conn, args.id) is not None:
            if not await store.end_session(conn, args.id, by="operator", status=GroupSessionStatus.CANCELLED):
                print("that session has already ended", file=sys.stderr)
                return 1
            print(f"cancelled session {args.id}")
            return 0
        if await store.get_group(conn, args.id) is not None:
            cancelled = await store.cancel_group(conn, args.id)
            print(f"cancelled group {args.id} and {len(cancelled)} coming sessions")
            return 0
        print(f"no group or session {args.id!r}", file=sys.stderr)
        return 1
    return 2


async def _add(conn: asyncpg.Connection, args: argparse.Namespace, settings: Settings) -> int:
    if args.topic not in settings.topic_ids:
        print(f"unknown --topic {args.topic}; known: {','.join(sorted(settings.topic_ids))}", file=sys.stderr)
        return 2
    if args.language not in settings.language_ids:
        print(f"unknown --language {args.language}", file=sys.stderr)
        return 2
    if not MIN_CAPACITY <= args.capacity <= MAX_CAPACITY:
        print(f"--capacity must be between {MIN_CAPACITY} and {MAX_CAPACITY}", file=sys.stderr)
        return 2
    if not args.title.strip():
        print("the title must not be empty", file=sys.stderr)
        return 2
    names = [n.strip() for n in args.facilitators.split(",") if n.strip()]
    found = await users.facilitators_by_username(conn, names)
    bad = [n for n in names if n not in found]
    if bad:
        print(
            f"not facilitators: {','.join(bad)} (give them the capability: user edit NAME --facilitates)",
            file=sys.stderr,
        )
        return 2
    group = await store.create_group(
        conn,
        topic=args.topic,
        language=args.language,
        title=args.title.strip(),
        description=args.description,
        guidelines=args.guidelines,
        capacity=args.capacity,
        facilitators=[found[n] for n in names],
        created_by=None,
    )
    print(f"created group {group.id} {group.title!r}")
    if args.start is not None or args.now:
        return await _schedule(conn, group.id, args)
    return 0


async def _schedule(conn: asyncpg.Connection, group_id: str, args: argparse.Namespace) -> int:
    if not DURATION_MIN <= args.duration <= DURATION_MAX:
        print(f"--duration must be between {DURATION_MIN} and {DURATION_MAX} minutes", file=sys.stderr)
        return 2
    if args.start is None and not args.now:
        print("give --start TIME or --now", file=sys.stderr)
        return 2
    session = await store.create_session(conn, group_id, starts_at=args.start, duration_min=args.duration)
    print(f"scheduled session {session.id} at {session.to_wire()['starts_at']} for {session.duration_min} min")
    return 0


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
