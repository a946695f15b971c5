"""The Lua scripts, loaded once and registered with a Redis client (EVALSHA with fallback)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

_DIR = Path(__file__).with_name("scripts")


@cache
def source(name: str) -> str:
    return (_DIR / f"{name}.lua").read_text()


def register(redis: Redis, name: str) -> AsyncScript:
    return redis.register_script(source(name))
