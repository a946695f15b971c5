"""Load the crisis resources a seeker is shown, per language, from a data file."""

from __future__ import annotations

from pathlib import Path

import yaml

DEFAULT_PATH = Path(__file__).with_name("resources.yaml")
_FIELDS = ("name", "how", "available")


def load_resources(path: str | None = None) -> dict[str, list[dict]]:
    """Validate at load so a bad edit fails at start-up, not while a seeker is in crisis."""
    with open(path or DEFAULT_PATH, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    if not isinstance(data, dict):
        raise ValueError("resources file must map language codes to lists")
    out: dict[str, list[dict]] = {}
    for lang, items in data.items():
        if not isinstance(items, list) or not items:
            raise ValueError(f"resources for {lang!r} must be a non-empty list")
        entries = []
        for item in items:
            if not isinstance(item, dict) or any(not isinstance(item.get(k), str) for k in _FIELDS):
                raise ValueError(f"each resource for {lang!r} needs string fields {_FIELDS}")
            entries.append({k: item[k] for k in _FIELDS})
        out[str(lang)] = entries
    return out
