"""The lexicon loader: template syntax, validation, and that the bundled data loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from escalation.lexicon import CATEGORIES, LEXICON_DIR, LexiconError, expand, load_lexicon


def test_expand_alternatives_optionals_and_nesting() -> None:
    assert sorted(expand("i (want|need) to die")) == ["i need to die", "i want to die"]
    assert sorted(expand("[really] sad")) == ["really sad", "sad"]
    assert sorted(expand("(so)? sad")) == ["sad", "so sad"]
    assert sorted(expand("(a (b|c)|d)")) == ["a b", "a c", "d"]


def test_expand_rejects_unbalanced() -> None:
    with pytest.raises(LexiconError):
        expand("(a|b")
    with pytest.raises(LexiconError):
        expand("(a]")


def test_bundled_lexicons_load_with_both_languages() -> None:
    lex = load_lexicon()
    assert lex.languages == ("en", "es")
    assert {r.category for r in lex.rules} == set(CATEGORIES)
    assert any(r.id.startswith("es.") for r in lex.rules)
    assert lex.pattern_count > 1000


def _copy(tmp_path: Path) -> Path:
    for f in LEXICON_DIR.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def test_bad_category_is_rejected_at_load(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    (d / "es.yaml").write_text("rules:\n  - {id: x, category: sadness, phrases: [triste]}\n", encoding="utf-8")
    with pytest.raises(LexiconError):
        load_lexicon(directory=d)


def test_unknown_cue_is_rejected_at_load(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    (d / "es.yaml").write_text(
        "rules:\n  - {id: x, category: suicide, phrases: [adios], any: [NO_SUCH_CUE]}\n", encoding="utf-8"
    )
    with pytest.raises(LexiconError):
        load_lexicon(directory=d)


def test_a_new_phrase_is_one_line_of_data(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    (d / "es.yaml").write_text(
        "rules:\n  - {id: new, category: suicide, severity: high, phrases: ['me quiero ir (para siempre)?']}\n",
        encoding="utf-8",
    )
    from escalation.detector import Detector

    detector = Detector(load_lexicon(directory=d))
    assert detector.assess(["ya me quiero ir para siempre"]).category == "suicide"
