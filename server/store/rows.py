"""Rows to dataclasses by column name, never by position: adding a column to a query cannot shift a field."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

import asyncpg

T = TypeVar("T")


def bind(cls: type[T], row: asyncpg.Record, *, prefix: str = "", **given: Any) -> T:
    """``cls`` with each field taken from the column of the same name (``prefix`` + name), or from
    ``given`` (a value the caller computed, e.g. text opened with the message key). A field with a
    default may be missing from the row."""
    values: dict[str, Any] = {}
    keys = set(row.keys())
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in given:
            values[f.name] = given[f.name]
        elif prefix + f.name in keys:
            values[f.name] = row[prefix + f.name]
    return cls(**values)
