"""Operators: ``user add --facilitates`` / ``user edit``, ``group add|schedule|list|cancel``, and ``purge``
keeping group transcripts no longer than ``GROUP_RETENTION_HOURS`` (the messages an escalation cites stay)."""

from __future__ import annotations

import asyncio
import re

from tests.groups_support import drop_in, fetch, join, make_facilitator, seeker_client, staff_client
from tests.support import run_cli

PASSWORD = "a long enough password\n"


async def test_operators_give_the_capability_and_run_groups_from_the_command_line(live_server, backends) -> None:
    env = live_server.env
    made = run_cli(env, "user", "add", "fran", "--role", "listener", "--display-name", "Francesca M", "--facilitates",
                   "--password-stdin", stdin=PASSWORD)  # fmt: skip
    assert made.returncode == 0 and "may facilitate support groups" in made.stdout, made.stderr
    plain = run_cli(env, "user", "add", "lee", "--role", "listener", "--display-name", "Leo K", "--password-stdin",
                    stdin=PASSWORD)  # fmt: skip
    assert plain.returncode == 0, plain.stderr

    refused = run_cli(env, "group", "add", "Grief circle", "--topic", "grief", "--facilitators", "lee", "--now")
    assert refused.returncode == 2 and "not facilitators: lee" in refused.stderr
    assert run_cli(env, "user", "edit", "lee", "--facilitates").returncode == 0
    rows = await fetch(backends.database_url, "select username, facilitator from users order by username")
    assert [tuple(r) for r in rows] == [("fran", True), ("lee", True)]
    assert run_cli(env, "group", "add", "X", "--topic", "astrology", "--now").returncode == 2
    assert run_cli(env, "group", "add", "X", "--topic", "grief", "--capacity", "51", "--now").returncode == 2

    added = run_cli(env, "group", "add", "Grief circle", "--topic", "grief", "--facilitators", "fran,lee",
                    "--guidelines", "Be gentle.", "--now", "--duration", "90")  # fmt: skip
    assert added.returncode == 0, added.stderr
    group_id = re.search(r"created group (\S+)", added.stdout).group(1)
    drop_in_id = re.search(r"scheduled session (\S+)", added.stdout).group(1)
    later = run_cli(env, "group", "schedule", group_id, "--start", "2099-03-01T19:00:00+00:00")
    assert later.returncode == 0, later.stderr
    later_id = re.search(r"scheduled session (\S+)", later.stdout).group(1)
    assert run_cli(env, "group", "schedule", group_id, "--start", "2099-03-01T19:00:00").returncode == 2  # no zone

    listing = run_cli(env, "group", "list")
    assert (
        listing.returncode == 0
        and "Grief circle" in listing.stdout
        and "facilitators=Francesca M,Leo K" in listing.stdout
    )
    assert f"session {drop_in_id}" in listing.stdout and "open" in listing.stdout and "upcoming" in listing.stdout

    seeker = await seeker_client(live_server.base_url)
    sessions = (await seeker.ok("list_sessions"))["sessions"]
    assert [s["session_id"] for s in sessions] == [drop_in_id, later_id]
    assert run_cli(env, "group", "cancel", later_id).returncode == 0
    assert run_cli(env, "group", "cancel", later_id).returncode == 1  # already ended
    assert run_cli(env, "group", "cancel", group_id).returncode == 0
    assert (await seeker.ok("list_sessions"))["sessions"] == []
    assert run_cli(env, "user", "edit", "lee", "--no-facilitates").returncode == 0
    assert run_cli(env, "user", "edit", "nobody", "--facilitates").returncode == 1
    await seeker.close()


CRISIS = "i am going to kill myself tonight, the pills are ready"


async def test_purge_deletes_group_transcripts_past_retention_except_cited_messages(live_server, backends) -> None:
    base = live_server.base_url
    await make_facilitator(backends.database_url, "fran")
    fac = await staff_client(base, "fran")
    _, session_id = await drop_in(fac)
    member = await seeker_client(base)
    await join(member, session_id, "River")
    await member.ok("message", {"session_id": session_id, "client_id": "1", "text": "an ordinary evening"})
    cited = (await member.ok("message", {"session_id": session_id, "client_id": "2", "text": CRISIS}))["message"]
    await member.ok("message", {"session_id": session_id, "client_id": "3", "text": "thanks all"})
    _, open_id = await drop_in(fac, title="Still open")
    other = await seeker_client(base)
    await join(other, open_id, "Lake")
    await other.ok("message", {"session_id": open_id, "client_id": "1", "text": "still going"})
    await fac.ok("end_session", {"session_id": session_id})
    await asyncio.sleep(0.3)

    kept = run_cli({**live_server.env, "GROUP_RETENTION_HOURS": "24"}, "purge")
    assert kept.returncode == 0 and "purged 0 group messages" in kept.stdout, kept.stderr
    conn_rows = await fetch(
        backends.database_url,
        "update group_sessions set ended_at = now() - interval '25 hours' where id = $1::uuid",
        session_id,
    )
    assert conn_rows == []
    done = run_cli({**live_server.env, "GROUP_RETENTION_HOURS": "24"}, "purge")
    assert done.returncode == 0 and "purged 2 group messages" in done.stdout, done.stdout
    left = await fetch(backends.database_url, "select id::text, session_id::text from group_messages order by sent_at")
    assert (left[0]["id"], left[0]["session_id"]) == (cited["id"], session_id)
    assert {r["session_id"] for r in left} == {session_id, open_id} and len(left) == 2
    escalation = await fetch(backends.database_url, "select group_message_id::text from escalations")
    assert escalation[0][0] == cited["id"]
    for c in (fac, member, other):
        await c.close()


async def test_a_session_whose_time_runs_out_ends_by_itself(live_server, backends) -> None:
    from datetime import UTC, datetime, timedelta

    base = live_server.base_url
    await make_facilitator(backends.database_url, "fran")
    fac = await staff_client(base, "fran")
    group_id, _ = await drop_in(fac)
    starts = (datetime.now(UTC) - timedelta(minutes=5) + timedelta(seconds=4)).isoformat()
    session = (await fac.ok("schedule", {"group_id": group_id, "starts_at": starts, "duration_min": 5}))["session"]
    member = await seeker_client(base)
    await join(member, session["session_id"], "River")
    ended = await member.wait_for("session_ended", timeout=20)
    assert ended == {"session_id": session["session_id"], "how": "ended", "by": "time"}
    refused = await member.call("message", {"session_id": session["session_id"], "client_id": "1", "text": "hi"})
    assert refused["reason"] == "ended"
    rows = await fetch(backends.database_url, "select status, ended_by from group_sessions where id = $1::uuid",
                       session["session_id"])  # fmt: skip
    assert tuple(rows[0]) == ("ended", "time")
    for c in (fac, member):
        await c.close()


async def test_a_deactivated_or_logged_out_facilitator_is_dropped_from_groups(backends) -> None:
    from tests.support import Client, ServerProcess, login

    server = ServerProcess(backends.server_env(TOKEN_CHECK_INTERVAL_S="0.5")).start()
    try:
        await make_facilitator(backends.database_url, "fran")
        live = await Client(server.base_url, "/groups", await login(server.base_url, "fran")).connect()
        done = run_cli(backends.server_env(), "user", "deactivate", "fran")
        assert done.returncode == 0, done.stderr
        for _ in range(40):
            if not live.sio.connected:
                break
            await asyncio.sleep(0.1)
        assert not live.sio.connected
        await live.close()
    finally:
        server.stop()


async def test_a_groups_socket_is_not_presence_on_duty(live_server, backends) -> None:
    """Only a listener's /listener socket says they are on duty: a /groups socket alone must never keep them
    "seen" (their chats' grace period would never start) nor register them as a listener again."""
    import redis.asyncio as aioredis

    from tests.support import login

    await make_facilitator(backends.database_url, "fran")
    token = await login(live_server.base_url, "fran")
    groups_only = await staff_client(live_server.base_url, "fran")
    r = aioredis.Redis.from_url(backends.redis_url)
    try:
        await asyncio.sleep(3)  # more than one heartbeat
        user_id = (await fetch(backends.database_url, "select id::text from users where username = 'fran'"))[0][0]
        assert await r.zscore("{pl}:seen:listener", user_id) is None
        assert await r.hget("{pl}:listeners", user_id) is None
        from tests.support import Client

        on_duty = await Client(live_server.base_url, "/listener", token).connect()
        await asyncio.sleep(3)
        assert await r.zscore("{pl}:seen:listener", user_id) is not None
        await on_duty.close()
    finally:
        await r.aclose()
    await groups_only.close()
