"""Every spelling has one home (``escalation/vocabulary.py``, ``server/vocabulary.py``); PostgreSQL's
``check`` constraints and the other copies that cannot import it must agree with it."""

from __future__ import annotations

import re

import asyncpg

from escalation.vocabulary import NO_SEVERITY, Category, Severity, severity_of_rank, severity_rank, sql_severity_rank
from server.vocabulary import (
    STAFF_ROLES,
    ConversationStatus,
    EscalationSource,
    EscalationStatus,
    GroupMemberRole,
    GroupMemberStatus,
    GroupSessionStatus,
    Outcome,
    Sender,
    Visibility,
)

# (table, column) -> the values its check constraint must allow, exactly
EXPECTED: dict[tuple[str, str], set[str]] = {
    ("users", "role"): set(STAFF_ROLES),
    ("conversations", "status"): set(ConversationStatus),
    ("conversations", "severity"): {NO_SEVERITY, *Severity},
    ("messages", "sender"): set(Sender),
    ("messages", "visibility"): set(Visibility),
    ("escalations", "source"): set(EscalationSource),
    ("escalations", "category"): set(Category),
    ("escalations", "severity"): set(Severity),
    ("escalations", "status"): set(EscalationStatus),
    ("escalations", "outcome"): set(Outcome),
    ("group_sessions", "status"): set(GroupSessionStatus),
    ("group_members", "role"): set(GroupMemberRole),
    ("group_members", "status"): set(GroupMemberStatus),
}
_ANY = re.compile(r"^CHECK \(\((\w+) = ANY \(ARRAY\[(.*)\]\)\)\)$")


async def test_the_check_constraints_of_the_live_schema_agree_with_the_enums(backends) -> None:
    conn = await asyncpg.connect(backends.database_url)
    try:
        rows = await conn.fetch(
            "select conrelid::regclass::text as tbl, pg_get_constraintdef(oid) as def from pg_constraint"
            " where contype = 'c' and conrelid <> 0 and connamespace = 'public'::regnamespace"
        )
    finally:
        await conn.close()
    found: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        match = _ANY.match(row["def"])
        if match:
            found[(row["tbl"], match.group(1))] = set(re.findall(r"'([^']*)'::text", match.group(2)))
    assert found == EXPECTED


def test_the_risk_models_category_order_is_the_vocabularys() -> None:
    from escalation import model, training

    assert model.CATEGORIES == tuple(Category)
    assert set(training.SEVERITIES) == {NO_SEVERITY, *Severity}


def test_severity_rank_and_its_sql_form() -> None:
    assert [severity_rank(s) for s in (None, NO_SEVERITY, "bogus", *Severity)] == [0, 0, 0, 1, 2]
    assert [severity_of_rank(r) for r in (0, 1, 2)] == [NO_SEVERITY, *Severity]
    assert sql_severity_rank("x") == "(case x when 'high' then 1 when 'imminent' then 2 else 0 end)"


def test_an_enum_member_is_its_string() -> None:
    assert Severity.HIGH == "high" and f"{Severity.IMMINENT}" == "imminent" and str(Category.SELF_HARM) == "self_harm"
