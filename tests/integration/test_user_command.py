"""``python -m server user add``: seekers never learn a staff login, and a typo in --topics is refused.

Issue 15, item 6: with no display name the login was shown to anonymous seekers, and unknown topics were
stored silently (an account that then gets no chats).
"""

from __future__ import annotations

import asyncpg

from tests.support import run_cli

PASSWORD = "a long enough password\n"


async def account(database_url: str, username: str) -> asyncpg.Record | None:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchrow("select display_name, topics, languages from users where username = $1", username)
    finally:
        await conn.close()


async def test_the_display_name_is_never_the_login(live_server, backends) -> None:
    env = live_server.env
    for given in ("Alice", "alice", "A.lice"):
        refused = run_cli(env, "user", "add", "alice", "--role", "listener", "--display-name", given,
                          "--password-stdin", stdin=PASSWORD)  # fmt: skip
        assert refused.returncode == 2 and "must not be the login" in refused.stderr, given
    assert await account(backends.database_url, "alice") is None

    derived = run_cli(env, "user", "add", "alice", "--role", "listener", "--password-stdin", stdin=PASSWORD)
    assert derived.returncode == 0, derived.stderr
    row = await account(backends.database_url, "alice")
    assert row is not None and "alice" not in row["display_name"].lower()
    assert row["display_name"].startswith("Listener ")
    assert "choose Available" in derived.stdout  # a new listener starts Away: the operator is told

    named = run_cli(env, "user", "add", "bob", "--role", "supervisor", "--display-name", "Sam",
                    "--password-stdin", stdin=PASSWORD)  # fmt: skip
    assert named.returncode == 0, named.stderr
    assert (await account(backends.database_url, "bob"))["display_name"] == "Sam"


async def test_unknown_topics_and_languages_are_refused_and_no_topics_means_all(live_server, backends) -> None:
    env = live_server.env
    typo = run_cli(env, "user", "add", "lee", "--role", "listener", "--display-name", "Lee P", "--topics",
                   "talk,veteran", "--password-stdin", stdin=PASSWORD)  # fmt: skip
    assert typo.returncode == 2 and "unknown --topics veteran" in typo.stderr and "veterans" in typo.stderr
    lang = run_cli(env, "user", "add", "lee", "--role", "listener", "--display-name", "Lee P", "--languages",
                   "en,xx", "--password-stdin", stdin=PASSWORD)  # fmt: skip
    assert lang.returncode == 2 and "unknown --languages xx" in lang.stderr
    assert await account(backends.database_url, "lee") is None

    every = run_cli(env, "user", "add", "lee", "--role", "listener", "--display-name", "Lee P",
                    "--password-stdin", stdin=PASSWORD)  # fmt: skip
    assert every.returncode == 0, every.stderr
    row = await account(backends.database_url, "lee")
    assert row is not None and "talk" in row["topics"] and "veterans" in row["topics"] and len(row["topics"]) == 10


def test_the_first_start_says_what_it_is_doing(live_server) -> None:
    """The lexicons compile for tens of seconds on a first start: the log says so instead of staying silent."""
    assert live_server.log_path is not None
    log = live_server.log_path.read_text(errors="replace")
    assert "loading the crisis detector" in log
    assert "crisis detector ready in" in log
    assert log.index("loading the crisis detector") < log.index("crisis detector ready in")
