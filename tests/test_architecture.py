"""The shape of the code, checked: rules a reviewer would otherwise have to remember.

No ``assert`` in shipped code (``python -O`` strips them, so they must never carry control flow or
narrow a type the code relies on).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("server", "matching", "escalation")


def shipped_modules() -> list[Path]:
    return sorted(p for package in SHIPPED for p in (ROOT / package).rglob("*.py"))


def test_no_assert_in_shipped_code() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in shipped_modules()
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Assert)
    ]
    assert found == []
