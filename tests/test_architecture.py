"""The shape of the code, checked: rules a reviewer would otherwise have to remember.

Dependencies flow one way (the edge → the domain → store / matching / escalation, never back), read
from every module's imports (top level, inside functions and under ``TYPE_CHECKING`` alike). No
``assert`` in shipped code (``python -O`` strips them, so they must never carry control flow or
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


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module this file imports, absolute (``from . import x`` resolved against its package)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    ours = {module_name(p) for p in shipped_modules()}
    return {module_name(p): {i for i in imports_of(p) if i in ours and i != module_name(p)} for p in shipped_modules()}


def within(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


# Shared leaves anyone in the server may use: settings, names, errors, metrics, Redis client options.
LEAVES = (
    "server.config",
    "server.vocabulary",
    "server.errors",
    "server.timefmt",
    "server.metrics",
    "server.effects",
    "server.runtime.redis_options",
)
TOP = ("server.app", "server.cli", "server.__main__", "server.services")
# (who, may not import, except) — each a tuple of module prefixes. The direction is
# edge → domain → store / matching / escalation; runtime drives the domain; security serves all three.
RULES: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
    # text in, assessment out: the detector knows nothing of the service around it
    (("escalation",), ("server", "matching"), ()),
    # the Redis queue and presence know the detector's vocabulary (severity orders the queue), nothing else
    (("matching",), ("server", "escalation"), ("escalation.vocabulary",)),
    # the store is the bottom of the server: SQL and rows, nothing that calls it
    (("server.store",), ("server",), ("server.store", "server.security.crypto", "server.timefmt", "server.vocabulary")),
    (LEAVES, ("server",), (*LEAVES, "server.security.addresses")),
    (("server.security",), ("server.edge", "server.domain", "server.runtime", *TOP), LEAVES),
    (("server.domain",), ("server.edge", "server.runtime", *TOP), LEAVES),
    (("server.runtime",), ("server.edge", *TOP), LEAVES),
    (("server.edge",), ("server.runtime", "server.app", "server.cli", "server.__main__"), LEAVES),
    # the wiring: only the command line starts it
    (("server",), ("server.app", "server.cli"), ("server.app", "server.cli", "server.__main__")),
]


def test_dependencies_flow_one_way() -> None:
    broken = [
        f"{module} imports {imported}"
        for module, imported_set in sorted(graph().items())
        for who, forbidden, allowed in RULES
        if within(module, *who) and not within(module, *allowed)
        for imported in sorted(imported_set)
        if within(imported, *forbidden) and not within(imported, *allowed)
    ]
    assert broken == []


def test_the_graph_is_read() -> None:
    """The rules above mean something only if the imports are found."""
    g = graph()
    assert "server.domain.chat" in g["server.app"] and "escalation.detector" in g["escalation.offload"]
    assert "server.store.pool" in g["server.services"]


_QUERIES = {"fetch", "fetchrow", "fetchval", "executemany", "copy_records_to_table"}


def test_sql_only_in_the_store() -> None:
    """A query is a call of an asyncpg method with SQL text; outside ``server/store`` there are none."""
    found = []
    for path in shipped_modules():
        if within(module_name(path), "server.store"):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            sql_arg = bool(node.args) and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
            if node.func.attr in _QUERIES or (node.func.attr == "execute" and sql_arg):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def test_rows_are_bound_by_column_name() -> None:
    """No ``Message(*values)`` or ``row.values()`` in the store: a column added to a query must not shift a field."""
    found = []
    for path in (ROOT / "server" / "store").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and any(isinstance(a, ast.Starred) for a in node.args):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "values":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
