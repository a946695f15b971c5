"""The compiled lexicon on disk: built once, reused, rebuilt when anything it depends on changes."""

from __future__ import annotations

from pathlib import Path

from escalation.compiled import cache_key, load_compiled
from escalation.detector import Detector


def test_cache_is_written_once_and_gives_the_same_detector(tmp_path: Path) -> None:
    fresh = Detector.load(("en",), tmp_path)
    files = list(tmp_path.glob("lexicon-*.pickle"))
    assert len(files) == 1 and files[0].stat().st_mode & 0o077 == 0
    cached = Detector.load(("en",), tmp_path)
    window = ["i have them", "all 40", "tonight"]
    assert cached.assess(window) == fresh.assess(window)
    assert cached.assess(["this exam is killing me"]).escalate is False


def test_a_different_key_replaces_the_old_file_and_a_corrupt_file_is_rebuilt(tmp_path: Path) -> None:
    load_compiled(("en",), tmp_path)
    load_compiled(("en", "es"), tmp_path)
    files = list(tmp_path.glob("lexicon-*.pickle"))
    assert [f.name for f in files] == [f"lexicon-{cache_key(('en', 'es'))}.pickle"]
    files[0].write_bytes(b"not a pickle")
    lexicon = load_compiled(("en", "es"), tmp_path)
    assert lexicon.rules and files[0].stat().st_size > 1000
