"""The conversation window: risk split over short messages is caught; benign pieces stay benign."""

from __future__ import annotations

from escalation.detector import WINDOW, Detector


def test_means_quantity_and_time_split_over_messages(detector: Detector) -> None:
    result = detector.assess(["i have them", "all 40", "tonight"])
    assert (result.escalate, result.category, result.severity) == (True, "suicide", "imminent")
    assert {e.message_index for e in result.evidence} == {0, 1, 2}


def test_each_piece_alone_is_benign(detector: Detector) -> None:
    for message in ["i have them", "all 40", "tonight"]:
        assert not detector.assess([message]).escalate


def test_split_ingestion_with_symptoms(detector: Detector) -> None:
    result = detector.assess(["so i swallowed some pills", "like 25", "everything is spinning"])
    assert result.escalate and result.category == "overdose"


def test_split_weapon_and_revenge(detector: Detector) -> None:
    result = detector.assess(["they all laughed at me again", "they'll pay for it", "i know where he keeps the gun"])
    assert result.escalate and result.category == "harm_to_others"


def test_benign_combinations_do_not_escalate(detector: Detector) -> None:
    assert not detector.assess(["i got the tickets", "all 4 of them", "tonight is the show"]).escalate
    assert not detector.assess(["giving away my old books", "moving to a new city next month"]).escalate
    assert not detector.assess(["bye everyone", "heading off on a camping trip", "no signal for a week"]).escalate


def test_earlier_hit_stays_in_window_and_indexes_the_given_list(detector: Detector) -> None:
    history = ["hey", "i want to kill myself", "anyway", "how are you"]
    result = detector.assess(history)
    assert result.escalate
    assert all(history[e.message_index][e.start : e.end] == e.text for e in result.evidence)


def test_window_only_looks_at_recent_messages(detector: Detector) -> None:
    history = ["i want to kill myself"] + ["ok"] * WINDOW
    assert not detector.assess(history).escalate
