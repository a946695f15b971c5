"""Load the crisis resources a seeker is shown, per language, from a data file."""

from __future__ import annotations

from pathlib import Path

import yaml

DEFAULT_PATH = Path(__file__).with_name("resources.yaml")
DEFAULT_GUIDE_PATH = Path(__file__).with_name("guide.yaml")
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


def load_guide(path: str | None = None) -> dict[str, object]:
    """The listeners' crisis guide: ``{"title": str, "steps": [str, ...]}``, validated at start-up."""
    with open(path or DEFAULT_GUIDE_PATH, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    title, steps = (data.get("title"), data.get("steps")) if isinstance(data, dict) else (None, None)
    if not isinstance(title, str) or not title.strip():
        raise ValueError("the crisis guide needs a non-empty string `title`")
    if not isinstance(steps, list) or not steps or not all(isinstance(s, str) and s.strip() for s in steps):
        raise ValueError("the crisis guide needs `steps`: a non-empty list of strings")
    return {"title": title.strip(), "steps": [s.strip() for s in steps]}
